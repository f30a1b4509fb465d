"""Official answers as owners of their deliveries (linecomm.pushes.owners), like survey announcements: the
push scheduler asks which answers are due (after the quiet hours) and opens their deliveries; the engine
freezes the recipients from `recipients` (the idea's author and supporters, not a segment) and tells how
each delivery goes, which the answer shows as its status. Registered in linecomm.delivery_owners."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, false, func, select, update
from sqlalchemy.orm import Session

from linecomm.db import dialect_name
from linecomm.ideas import stages
from linecomm.ideas.models import IdeaAnswer
from linecomm.pushes.models import Delivery, DeliveryStatus, QuotaPolicy
from linecomm.pushes.occurrences import open_delivery
from linecomm.pushes.owners import DeliveryOwner
from linecomm.pushes.schedule import QuietHours

A = IdeaAnswer.__table__


class IdeaAnswerDeliveries(DeliveryOwner):
    kind = stages.KIND

    def status_changed(self, conn: Connection | Session, delivery_id: int, status: str) -> None:
        conn.execute(update(A).where(A.c.delivery_id == delivery_id).values(status=status))

    def open_due(self, session: Session, now: datetime, quiet: QuietHours, weekly_cap: int,
                 batch_size: int) -> list[int]:
        """Open the delivery of each answer whose time (after quiet hours) has come; their ids."""
        stmt = (select(IdeaAnswer).where(IdeaAnswer.status == "scheduled", IdeaAnswer.delivery_id.is_(None),
                                         IdeaAnswer.scheduled_at <= now)
                .order_by(IdeaAnswer.scheduled_at).limit(100))
        if dialect_name(session) == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        opened = []
        for answer in session.scalars(stmt).all():
            starts = quiet.release(answer.scheduled_at)
            if starts > now:
                continue
            delivery = open_delivery(session, Delivery(
                kind=self.kind, occurrence_key=f"{self.kind}:{answer.id}", status=DeliveryStatus.STARTING,
                messages=answer.messages, segment="{}", quota_policy=QuotaPolicy.REFUSE, weekly_cap=weekly_cap,
                batch_size=batch_size, scheduled_for=answer.scheduled_at, not_before=starts,
                requested_by=answer.created_by, created_at=now,
            ))
            if delivery is not None:
                answer.delivery_id, answer.status = delivery.id, DeliveryStatus.STARTING
                opened.append(delivery.id)
        return opened

    def next_due(self, session: Session, quiet: QuietHours, now: datetime) -> datetime | None:
        first = session.scalar(select(func.min(IdeaAnswer.scheduled_at)).where(
            IdeaAnswer.status == "scheduled", IdeaAnswer.delivery_id.is_(None)))
        return quiet.release(first) if first is not None else None

    def recipients(self, session: Session, delivery: Delivery) -> list[ColumnElement[bool]] | None:
        """The answer's idea's author and supporters, as the engine freezes them when the delivery starts."""
        idea_id = session.scalar(select(IdeaAnswer.idea_id).where(IdeaAnswer.delivery_id == delivery.id))
        if idea_id is None:  # no answer for this delivery: nobody (never the whole community)
            return [false()]
        return stages.recipient_conditions(idea_id)


IDEA_ANSWERS = IdeaAnswerDeliveries()
