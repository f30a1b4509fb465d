"""What the console lists about theme posts: posts with their latest delivery and a post's deliveries
(asked of linecomm.pushes, which delivers them)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.pushes import service as pushes
from linecomm.pushes.models import Delivery
from linecomm.themes.models import ThemePost


@dataclass(frozen=True)
class PostLine:
    post: ThemePost
    latest: Delivery | None  # the latest real delivery (not a test send)


def posts(session: Session, before_id: int | None = None, limit: int = 30) -> list[PostLine]:
    """Posts newest first (keyset pagination by id), each with its latest real delivery."""
    stmt = select(ThemePost)
    if before_id is not None:
        stmt = stmt.where(ThemePost.id < before_id)
    found = list(session.scalars(stmt.order_by(ThemePost.id.desc()).limit(limit)))
    latest = pushes.latest_post_deliveries(session, [post.id for post in found])
    return [PostLine(post, latest.get(post.id)) for post in found]


def deliveries_of(session: Session, post_id: int, limit: int = 50) -> list[Delivery]:
    """A post's deliveries (test sends included), newest first."""
    return pushes.post_deliveries(session, post_id, limit)


def latest_delivery(session: Session, post_id: int) -> Delivery | None:
    """The post's latest real delivery (what its progress panel follows)."""
    return pushes.latest_post_delivery(session, post_id)
