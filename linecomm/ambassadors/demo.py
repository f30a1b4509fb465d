"""Demo data for appointments (`linecomm demo`): はなこ is a 公認アンバサダー, いちろう a コミュニティモデレーター,
and みさき's review of the linen cloth reads like a resale offer that はなこ reported, so いちろう's
「通報された投稿を確認する」 (my page) has something to hide pending review. Only once."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.ambassadors import service
from linecomm.ambassadors.models import Appointment, AppointmentRole
from linecomm.members.models import Member
from linecomm.moderation import service as moderation
from linecomm.reviews import service as reviews
from linecomm.reviews.models import ReviewProduct

AMBASSADOR, MODERATOR, AUTHOR = "はなこ", "いちろう", "みさき"
PRODUCT = "リネンのふきん"
REPORTED_TEXT = "使わなくなったので未使用品をフリマで安くお譲りします。気になる方は個別にご連絡ください。"


def seed(session: Session, max_photo_bytes: int = 10 * 1024 * 1024) -> None:
    if session.scalar(select(Appointment.id).limit(1)) is not None:
        return
    ids = dict(session.execute(select(Member.nickname, Member.id).where(
        Member.nickname.in_((AMBASSADOR, MODERATOR, AUTHOR)))).all())
    if AMBASSADOR in ids:
        service.appoint(session, ids[AMBASSADOR], AppointmentRole.AMBASSADOR, by="demo")
    if MODERATOR in ids:
        service.appoint(session, ids[MODERATOR], AppointmentRole.MEMBER_MODERATOR, by="demo")
    product_id = session.scalar(select(ReviewProduct.id).where(ReviewProduct.name == PRODUCT))
    if product_id is None or AUTHOR not in ids or AMBASSADOR not in ids:
        return
    saved = reviews.save(session, product_id, ids[AUTHOR], reviews.Draft("3", REPORTED_TEXT),
                         max_photo_bytes=max_photo_bytes)
    if saved.review is not None and saved.review.content_id is not None:
        moderation.report(session, saved.review.content_id, ids[AMBASSADOR], "宣伝・勧誘のようです")
