"""Reviews' privacy hook: a member's reviews and the "helpful" marks they gave.

Erasing deletes the member's reviews (and their photos, rows now and files after commit), taking them out of
their products' counters first, and deletes the marks they gave, taking each out of its review's count:
the counters stay equal to the rows. The moderation items behind the texts are redacted by moderation's hook.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.reviews.counters import recount
from linecomm.reviews.models import Review, ReviewHelpfulMark, ReviewProduct
from linecomm.uploads import service as uploads

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    reviews = session.execute(
        select(Review, ReviewProduct.name).join(ReviewProduct, ReviewProduct.id == Review.product_id)
        .where(Review.member_id == member.id).order_by(Review.id)).all()
    marks = session.execute(select(ReviewHelpfulMark.review_id, ReviewHelpfulMark.created_at)
                            .where(ReviewHelpfulMark.member_id == member.id).order_by(ReviewHelpfulMark.id)).all()
    return {
        "reviews": [{"product": name, "stars": r.stars, "text": r.body, "photo_id": r.photo_id,
                     "published": r.published, "helpful_count": r.helpful_count,
                     "created_at": plain(r.created_at), "updated_at": plain(r.updated_at)} for r, name in reviews],
        "review_helpful_marks": [{"review_id": review_id, "created_at": plain(at)} for review_id, at in marks],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    reviews = list(session.scalars(select(Review).where(Review.member_id == member.id)))
    for review in reviews:
        review.published = False
        recount(session, review)
        if review.photo_id:
            uploads.delete(session, review.photo_id)
        session.delete(review)
    marked = list(session.scalars(select(ReviewHelpfulMark.review_id).where(ReviewHelpfulMark.member_id == member.id)))
    if marked:
        session.execute(update(Review).where(Review.id.in_(marked), Review.member_id != member.id)
                        .values(helpful_count=Review.helpful_count - 1).execution_options(synchronize_session=False))
        session.execute(delete(ReviewHelpfulMark).where(ReviewHelpfulMark.member_id == member.id)
                        .execution_options(synchronize_session=False))
    session.flush()
    return {"reviews": len(reviews), "review_helpful_marks": len(marked)}


hook = PrivacyHook(name="reviews", tables=("reviews", "review_helpful_marks"), export_member=export_member,
                   erase_member=erase_member)
