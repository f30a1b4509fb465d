"""Product counters kept in step with the reviews they count, in the caller's transaction.

A review is counted (with `counted_stars` stars) exactly while it is visible; `recount` moves it in or out
of its product's counters with one UPDATE of increments (safe under concurrency: no read-modify-write), and
does nothing when the counters already hold what the review says. Pages read the counters and never
COUNT the reviews.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from linecomm.reviews.models import Review, ReviewProduct


def recount(session: Session, review: Review) -> bool:
    """Make the product's counters hold the review as it is now (visible with its stars, or not at all).
    Returns whether anything changed. Flushes."""
    target = review.stars if review.published else None
    held = review.counted_stars
    if held == target:
        return False
    changes: dict[str, Any] = {}
    count = sum_ = 0
    per_star: dict[int, int] = {}
    if held is not None:
        count, sum_ = count - 1, sum_ - held
        per_star[held] = per_star.get(held, 0) - 1
    if target is not None:
        count, sum_ = count + 1, sum_ + target
        per_star[target] = per_star.get(target, 0) + 1
    if count:
        changes["review_count"] = ReviewProduct.review_count + count
    if sum_:
        changes["star_sum"] = ReviewProduct.star_sum + sum_
    for stars, delta in per_star.items():
        if delta:
            column = getattr(ReviewProduct, f"stars_{stars}")
            changes[f"stars_{stars}"] = column + delta
    if changes:
        session.execute(update(ReviewProduct).where(ReviewProduct.id == review.product_id).values(**changes)
                        .execution_options(synchronize_session=False))
    review.counted_stars = target
    session.flush()
    loaded = session.identity_map.get(session.identity_key(ReviewProduct, review.product_id))
    if loaded is not None:
        session.expire(loaded)  # its counters changed in the database behind its back
    return True
