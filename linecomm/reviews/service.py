"""Members' reviews: write or edit my review of a product (1–5 stars, text, optional photo), mark another
member's review helpful, and keep the product counters and member actions in step with moderation.

Every review text (and photo) goes through the moderation core as ContentKind.REVIEW with ref
"review:<id>"; an edit is submitted again as a new item and the old one is superseded. A review is visible
while its current item is published: moderation tells us when that changes (`seams.listen`), so a review a
moderator hides leaves the lists and the averages at once, and one approved later is counted then, and
published (REVIEW_PUBLISHED) once. Functions only flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from sqlalchemy import ColumnElement, exists, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.actions.service import record as record_action
from linecomm.db import insert_ignoring_conflicts, utcnow
from linecomm.members.models import Member
from linecomm.moderation import seams
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.reviews import copy
from linecomm.reviews.counters import recount
from linecomm.reviews.models import Review, ReviewHelpfulMark, ReviewProduct
from linecomm.text import limits
from linecomm.uploads import service as uploads
from linecomm.uploads.images import PhotoRefused

REF_PREFIX = "review:"


def ref_of(review_id: int) -> str:
    return f"{REF_PREFIX}{review_id}"


def published_key(review_id: int) -> str:
    return f"review:{review_id}"


def helpful_key(review_id: int, marker_id: int) -> str:
    return f"review-helpful:{review_id}:{marker_id}"


def active_product(session: Session, product_id: int) -> ReviewProduct | None:
    product = session.get(ReviewProduct, product_id)
    return product if product is not None and product.archived_at is None else None


def review_of(session: Session, product_id: int, member_id: int) -> Review | None:
    return session.scalar(select(Review).where(Review.product_id == product_id, Review.member_id == member_id))


@dataclass(frozen=True)
class Draft:
    """What the member typed, as posted."""

    stars: str
    body: str
    photo: bytes | None = None
    remove_photo: bool = False


@dataclass
class Saved:
    review: Review | None = None
    state: str | None = None  # the moderation state of the text just submitted
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200


def check(draft: Draft) -> tuple[int | None, str, dict[str, str]]:
    """The stars and the body (trimmed), and the errors by field."""
    errors: dict[str, str] = {}
    stars = int(draft.stars) if draft.stars in ("1", "2", "3", "4", "5") else None
    if stars is None:
        errors["stars"] = copy.CHOOSE_STARS
    body = (draft.body or "").replace("\r\n", "\n").strip()
    if not body:
        errors["body"] = copy.WRITE_BODY
    elif len(body) < copy.BODY_MIN:
        errors["body"] = copy.body_too_short(len(body))
    elif len(body) > copy.BODY_MAX:
        errors["body"] = limits.too_long(copy.BODY_MAX, len(body))
    return stars, body, errors


def save(session: Session, product_id: int, member_id: int, draft: Draft, *, max_photo_bytes: int,
         now: datetime | None = None) -> Saved:
    """Write or edit the member's review of an active product. On errors (by field, with the HTTP status:
    422, or 413 for a photo too large; a text refused by the NG words is a `body` error) nothing is meant
    to be kept: the caller rolls back. The photo is stored only when everything else is fine."""
    now = now or utcnow()
    product = active_product(session, product_id)
    if product is None:
        return Saved(errors={"product": copy.PRODUCT_NOT_FOUND}, status=404)
    stars, body, errors = check(draft)
    if errors:
        return Saved(errors=errors, status=422)
    assert stars is not None
    photo_id: str | None = None
    if draft.photo is not None:
        try:
            photo_id = uploads.store(session, draft.photo, purpose="review", owner_member_id=member_id,
                                     max_bytes=max_photo_bytes, now=now).id
        except PhotoRefused as refused:
            return Saved(errors={"photo": refused.message}, status=refused.status if refused.status == 413 else 422)
    review = review_of(session, product_id, member_id)
    if review is None:
        review = _new_review(session, product_id, member_id, stars, body, now)
    old_item = session.get(ContentItem, review.content_id) if review.content_id else None
    photo_seen = review.photo_id is not None and review.first_published_at is not None and review.published
    if photo_id is not None or draft.remove_photo:
        if review.photo_id:
            uploads.delete(session, review.photo_id)
        review.photo_id = photo_id
        photo_seen = False
    review.stars, review.body, review.updated_at = stars, body, now
    has_image = review.photo_id is not None and not photo_seen
    item = moderation.submit(session, member_id, ContentKind.REVIEW, body, ref_of(review.id), now,
                             has_image=has_image)
    if item.state == ContentState.BLOCKED:
        return Saved(review=review, state=item.state, errors={"body": copy.BLOCKED_WORDS}, status=422)
    review.content_id = item.id
    if old_item is not None:
        if review.first_published_at is not None:  # its points follow the new version
            actions.retarget(session, published_key(review.id), item.id)
        moderation.supersede(session, old_item, now)
    _follow(session, review, item, now)
    return Saved(review=review, state=item.state)


def _new_review(session: Session, product_id: int, member_id: int, stars: int, body: str, now: datetime) -> Review:
    review = Review(product_id=product_id, member_id=member_id, stars=stars, body=body, published=False,
                    counted_stars=None, helpful_count=0, created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(review)
            session.flush()
    except IntegrityError:  # the same member's other request created it a moment ago: edit that one
        found = review_of(session, product_id, member_id)
        if found is None:
            raise
        return found
    return review


def _follow(session: Session, review: Review, item: ContentItem, now: datetime) -> None:
    """Make the review visible exactly while its current item is published; count it, and record its first
    publication once."""
    review.published = item.state == ContentState.PUBLISHED and item.redacted_at is None
    recount(session, review)
    if review.published and review.first_published_at is None:
        review.first_published_at = now
        record_action(session, review.member_id, ActionKind.REVIEW_PUBLISHED, published_key(review.id),
                      ref=ref_of(review.id), content_id=item.id, at=now)
    session.flush()


def _on_moderation(session: Session, item: ContentItem, before: str | None, now: datetime) -> None:
    review = session.scalar(select(Review).where(Review.content_id == item.id))
    if review is not None:  # an older version of an edited review changes nothing
        _follow(session, review, item, now)


def _photos_for(session: Session, content_ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(Review.content_id, Review.photo_id).where(
        Review.content_id.in_(content_ids), Review.photo_id.is_not(None))).all()
    return {content_id: photo_id for content_id, photo_id in rows if content_id is not None and photo_id}


seams.listen(ContentKind.REVIEW, _on_moderation)
seams.register_photo_source(ContentKind.REVIEW, _photos_for)


class Helpful(Enum):
    MARKED = "marked"
    ALREADY = "already"
    OWN = "own"
    NOT_VISIBLE = "not_visible"
    NOT_ALLOWED = "not_allowed"


def mark_helpful(session: Session, review_id: int, member_id: int, now: datetime | None = None) -> Helpful:
    """Mark a visible review of another member helpful, once; its author receives HELPFUL_RECEIVED once
    per marker."""
    now = now or utcnow()
    if not moderation.can_post(session.get(Member, member_id)):
        return Helpful.NOT_ALLOWED
    review = session.get(Review, review_id)
    if review is None or not review.published:
        return Helpful.NOT_VISIBLE
    if review.member_id == member_id:
        return Helpful.OWN
    table = ReviewHelpfulMark.__table__
    inserted = session.scalar(insert_ignoring_conflicts(session, table, ["review_id", "member_id"])
                              .values(review_id=review_id, member_id=member_id, created_at=now)
                              .returning(table.c.id))
    if inserted is None:
        return Helpful.ALREADY
    session.execute(update(Review).where(Review.id == review_id)
                    .values(helpful_count=Review.helpful_count + 1).execution_options(synchronize_session=False))
    session.expire(review, ["helpful_count"])
    record_action(session, review.member_id, ActionKind.HELPFUL_RECEIVED, helpful_key(review_id, member_id),
                  ref=ref_of(review_id), content_id=review.content_id, at=now)
    session.flush()
    return Helpful.MARKED


def reviewed_any(product_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """Segment condition "reviewed product X": the member has a published review of one of the products
    (as members see it: a held, refused or hidden one does not count), as an EXISTS correlated to
    members.id (served by the (product, member) unique index)."""
    return exists(select(literal(1)).select_from(Review)
                  .where(Review.member_id == Member.id, Review.product_id.in_(product_ids),
                         Review.published.is_(True)))
