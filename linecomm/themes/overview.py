"""What the console lists about theme posts: posts with their latest delivery, a post's deliveries, step
messages with their latest run. Read-only queries over the pushes tables (a handful of rows each)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.pushes.models import Delivery, DeliveryKind, StepMessage, ThemePost


@dataclass(frozen=True)
class PostLine:
    post: ThemePost
    latest: Delivery | None  # the latest real delivery (not a test send)


def posts(session: Session, before_id: int | None = None, limit: int = 30) -> list[PostLine]:
    """Posts newest first (keyset pagination by id), each with its latest real delivery."""
    latest = (
        select(Delivery.post_id, func.max(Delivery.id).label("delivery_id"))
        .where(Delivery.kind == DeliveryKind.POST)
        .group_by(Delivery.post_id)
        .subquery()
    )
    stmt = (
        select(ThemePost, Delivery)
        .outerjoin(latest, latest.c.post_id == ThemePost.id)
        .outerjoin(Delivery, Delivery.id == latest.c.delivery_id)
    )
    if before_id is not None:
        stmt = stmt.where(ThemePost.id < before_id)
    rows = session.execute(stmt.order_by(ThemePost.id.desc()).limit(limit)).all()
    return [PostLine(post, delivery) for post, delivery in rows]


def deliveries_of(session: Session, post_id: int, limit: int = 50) -> list[Delivery]:
    """A post's deliveries (test sends included), newest first."""
    return list(session.scalars(
        select(Delivery).where(Delivery.post_id == post_id).order_by(Delivery.id.desc()).limit(limit)
    ))


def latest_delivery(session: Session, post_id: int) -> Delivery | None:
    """The post's latest real delivery (what its progress panel follows)."""
    return session.scalar(
        select(Delivery).where(Delivery.post_id == post_id, Delivery.kind == DeliveryKind.POST)
        .order_by(Delivery.id.desc()).limit(1)
    )


@dataclass(frozen=True)
class StepLine:
    step: StepMessage
    runs: int
    sent_to: int  # recipients of its runs so far
    latest: Delivery | None


def steps(session: Session) -> list[StepLine]:
    """Step messages in sequence order (days after joining, then time), with their runs so far."""
    totals = (
        select(Delivery.step_id, func.count().label("runs"), func.coalesce(func.sum(Delivery.recipients), 0)
               .label("sent_to"), func.max(Delivery.id).label("latest_id"))
        .where(Delivery.kind == DeliveryKind.STEP)
        .group_by(Delivery.step_id)
        .subquery()
    )
    rows = session.execute(
        select(StepMessage, totals.c.runs, totals.c.sent_to, Delivery)
        .outerjoin(totals, totals.c.step_id == StepMessage.id)
        .outerjoin(Delivery, Delivery.id == totals.c.latest_id)
        .order_by(StepMessage.days_after_join, StepMessage.time_of_day, StepMessage.id)
    ).all()
    return [StepLine(step, int(runs or 0), int(sent or 0), latest) for step, runs, sent, latest in rows]
