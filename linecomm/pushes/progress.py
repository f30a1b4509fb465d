"""Live numbers for a delivery (the admin page polls them) and the report once it is over. Both read the
delivery's batch rows with a couple of aggregate queries, whatever the number of recipients."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.pushes.models import BatchStatus, Delivery, DeliveryBatch, DeliveryStatus

RATE_WINDOW = timedelta(seconds=10)
LINE_MULTICASTS_PER_SECOND = 200


@dataclass(frozen=True)
class Progress:
    delivery_id: int
    kind: str
    status: str
    post_id: int | None
    step_id: int | None
    matched: int | None  # members the segment matched when the list was frozen
    over_cap: int  # left out: weekly cap reached
    over_quota: int  # left out: monthly quota
    recipients: int  # the frozen list
    sent: int
    skipped: int  # unfollowed or left before their batch went out
    failed: int
    cancelled: int
    pending: int
    batches: int
    batches_sent: int
    batches_failed: int
    batches_pending: int
    accepted_before: int  # batches LINE answered with 409: sent by an attempt whose answer was lost
    retries: int
    rate_per_second: float  # recipients per second over the last 10 seconds
    eta_seconds: float | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    not_before: datetime
    error: str | None
    resumes_at: datetime | None  # sending, but waiting for quiet hours to end until then
    as_of: datetime  # the moment these numbers describe

    @property
    def waiting(self) -> bool:
        return self.resumes_at is not None

    @property
    def done_fraction(self) -> float:
        return 1.0 if not self.recipients else (self.recipients - self.pending) / self.recipients


def progress(session: Session, delivery_id: int, now: datetime | None = None) -> Progress | None:
    """The delivery's numbers right now (None if there is no such delivery)."""
    now = now or utcnow()
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        return None
    b = DeliveryBatch

    def total(column: object, status: str) -> object:
        return func.coalesce(func.sum(case((b.status == status, column), else_=0)), 0)

    def count(status: str) -> object:
        return func.coalesce(func.sum(case((b.status == status, 1), else_=0)), 0)

    row = session.execute(
        select(
            total(b.sent_count, BatchStatus.SENT), func.coalesce(func.sum(b.skipped_count), 0),
            total(b.size, BatchStatus.FAILED), total(b.size, BatchStatus.CANCELLED), total(b.size, BatchStatus.PENDING),
            func.count(), count(BatchStatus.SENT), count(BatchStatus.FAILED), count(BatchStatus.PENDING),
            func.coalesce(func.sum(case((b.accepted_before.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(case((b.attempts > 1, b.attempts - 1), else_=0)), 0),
        ).where(b.delivery_id == delivery_id)
    ).one()
    recent = session.execute(
        select(func.coalesce(func.sum(b.size), 0), func.min(b.finished_at)).where(
            b.delivery_id == delivery_id, b.finished_at >= now - RATE_WINDOW,
            b.status.in_((BatchStatus.SENT, BatchStatus.SKIPPED)),
        )
    ).one()
    sent, skipped, failed, cancelled, pending = (int(v) for v in row[:5])
    batches, batches_sent, batches_failed, batches_pending, accepted, retries = (int(v) for v in row[5:])
    elapsed = RATE_WINDOW.total_seconds()
    if delivery.started_at and now - delivery.started_at < RATE_WINDOW:
        elapsed = max((now - delivery.started_at).total_seconds(), 0.001)
    rate = int(recent[0]) / elapsed if delivery.status == DeliveryStatus.SENDING else 0.0
    waiting = delivery.status == DeliveryStatus.SENDING and delivery.not_before > now
    eta = None
    if delivery.status == DeliveryStatus.SENDING and pending and not waiting:
        # Never faster than LINE's limit allows, however quick the last seconds were.
        floor = batches_pending / LINE_MULTICASTS_PER_SECOND
        eta = max(pending / rate, floor) if rate > 0 else None
    elif delivery.status in DeliveryStatus.FINISHED:
        eta = 0.0
    return Progress(
        delivery.id, delivery.kind, delivery.status, delivery.post_id, delivery.step_id, delivery.segment_count,
        delivery.over_cap_count, delivery.over_quota_count, delivery.recipients, sent, skipped, failed, cancelled,
        pending, batches, batches_sent, batches_failed, batches_pending, accepted, retries, rate, eta,
        delivery.created_at, delivery.started_at, delivery.finished_at, delivery.not_before, delivery.error,
        delivery.not_before if waiting else None, now,
    )


@dataclass(frozen=True)
class Report:
    progress: Progress
    duration_seconds: float | None
    failures: list[tuple[str, int]]  # LINE's (or our) reason, recipients
    uncertain: int  # recipients of batches stopped after an attempt whose outcome is unknown
    quota_limit: int | None
    quota_used_before: int | None


def report(session: Session, delivery_id: int) -> Report | None:
    """The delivery report: its numbers, how long it took, why batches failed."""
    numbers = progress(session, delivery_id)
    if numbers is None:
        return None
    delivery = session.get(Delivery, delivery_id)
    assert delivery is not None
    b = DeliveryBatch
    failures = [
        (reason or "", int(n))
        for reason, n in session.execute(
            select(b.last_error, func.sum(b.size)).where(b.delivery_id == delivery_id, b.status == BatchStatus.FAILED)
            .group_by(b.last_error).order_by(func.sum(b.size).desc()).limit(10)
        )
    ]
    uncertain = session.scalar(
        select(func.coalesce(func.sum(b.size), 0)).where(
            b.delivery_id == delivery_id, b.status == BatchStatus.CANCELLED, b.attempts > 0
        )
    )
    duration = None
    if delivery.started_at and delivery.finished_at:
        duration = (delivery.finished_at - delivery.started_at).total_seconds()
    return Report(numbers, duration, failures, int(uncertain or 0), delivery.quota_limit, delivery.quota_used)
