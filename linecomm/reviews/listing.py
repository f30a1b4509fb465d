"""What the review pages read: the catalogue with its counters, a product's visible reviews a page at a time
(keyset pagination, newest or most helpful first: an index range scan however many reviews there are), my
marks among them, and my own reviews. Read-only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem
from linecomm.reviews.models import Review, ReviewHelpfulMark, ReviewProduct

PAGE = 20
SORTS = ("new", "helpful")


@dataclass(frozen=True)
class Shown:
    review: Review
    nickname: str | None


@dataclass(frozen=True)
class Page:
    rows: list[Shown]
    next_cursor: str | None


def products(session: Session, *, include_archived: bool = False) -> list[ReviewProduct]:
    stmt = select(ReviewProduct).order_by(ReviewProduct.id)
    if not include_archived:
        stmt = stmt.where(ReviewProduct.archived_at.is_(None))
    return list(session.scalars(stmt.limit(500)))


def parse_cursor(sort: str, raw: str | None) -> tuple[int, ...] | None:
    """A cursor as the page links write it: "<id>" (newest) or "<helpful count>.<id>"; anything else is
    None (the first page)."""
    if not raw or len(raw) > 40:
        return None
    parts = raw.split(".")
    if not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in parts):
        return None
    numbers = tuple(int(p) for p in parts)
    return numbers if len(numbers) == (2 if sort == "helpful" else 1) else None


def page(session: Session, product_id: int, sort: str = "new", cursor: tuple[int, ...] | None = None,
         limit: int = PAGE) -> Page:
    """One page of the product's visible reviews with their authors' nicknames."""
    stmt = (select(Review, Member.nickname).join(Member, Member.id == Review.member_id)
            .where(Review.product_id == product_id, Review.published.is_(True)))
    if sort == "helpful":
        if cursor is not None:
            stmt = stmt.where(tuple_(Review.helpful_count, Review.id) < tuple_(*cursor))
        stmt = stmt.order_by(Review.helpful_count.desc(), Review.id.desc())
    else:
        if cursor is not None:
            stmt = stmt.where(Review.id < cursor[0])
        stmt = stmt.order_by(Review.id.desc())
    rows = [Shown(review, nickname) for review, nickname in session.execute(stmt.limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1].review
        next_cursor = f"{last.helpful_count}.{last.id}" if sort == "helpful" else str(last.id)
    return Page(rows, next_cursor)


def marked_by(session: Session, member_id: int, review_ids: list[int]) -> set[int]:
    if not review_ids:
        return set()
    return set(session.scalars(select(ReviewHelpfulMark.review_id).where(
        ReviewHelpfulMark.member_id == member_id, ReviewHelpfulMark.review_id.in_(review_ids))))


@dataclass(frozen=True)
class Mine:
    review: Review
    product: ReviewProduct
    state: str | None  # the moderation state of the review's current text


def mine(session: Session, member_id: int, limit: int = 20) -> list[Mine]:
    rows = session.execute(
        select(Review, ReviewProduct, ContentItem.state)
        .join(ReviewProduct, ReviewProduct.id == Review.product_id)
        .outerjoin(ContentItem, ContentItem.id == Review.content_id)
        .where(Review.member_id == member_id).order_by(Review.id.desc()).limit(limit))
    return [Mine(review, product, state) for review, product, state in rows]


def reviewed_product_ids(session: Session, member_id: int) -> set[int]:
    return set(session.scalars(select(Review.product_id).where(Review.member_id == member_id)))


def of_product_for_staff(session: Session, product_id: int, before_id: int | None = None,
                         limit: int = 30) -> list[tuple[Review, str | None, str | None]]:
    """Every review of the product (any moderation state), newest first, for the console."""
    stmt = (select(Review, Member.nickname, ContentItem.state).join(Member, Member.id == Review.member_id)
            .outerjoin(ContentItem, ContentItem.id == Review.content_id).where(Review.product_id == product_id))
    if before_id is not None:
        stmt = stmt.where(Review.id < before_id)
    return [(r, n, s) for r, n, s in session.execute(stmt.order_by(Review.id.desc()).limit(limit))]
