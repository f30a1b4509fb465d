"""Demo data for badges (`linecomm demo`): a manual badge 「オフ会参加」 awarded to はなこ and いちろう (once:
the badge is found by its demo code), and the declarative badges the demo's reviews, ideas and answers
earned (the periodic pass's set-based grant, run once here so the demo shows them at once)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.points import badge_grants, badges
from linecomm.points.badge_models import Badge, BadgeKind

CODE = "m-demo-offkai"


def seed(session: Session, line_user_ids: list[str]) -> None:
    now = utcnow()
    if session.scalar(select(Badge.id).where(Badge.code == CODE)) is None:
        session.add(Badge(code=CODE, kind=BadgeKind.MANUAL, name="オフ会参加", emoji="🎉",
                          description="コミュニティのオフ会にご参加いただきました。", enabled=True, position=1000,
                          created_by="demo", created_at=now, updated_at=now))
        session.flush()
    members = list(session.scalars(select(Member.id).where(Member.line_user_id.in_(line_user_ids[:2]))))
    for member_id in members:
        badges.award(session, member_id, CODE, by="demo", reason="デモ：オフ会に参加", now=now)
    badge_grants.grant_missed(session, now)
