"""Handle the inbox in batches: the worker side of the webhook.

The webhook commits events to the inbox and then asks for a drain (`request_now`): one coalesced job,
however many bodies arrive before a worker starts it, so the request path pays a Redis SET instead of an
RQ enqueue. A drain takes up to `BATCH` pending events in arrival order, locked (FOR UPDATE SKIP LOCKED,
so workers draining side by side take different events), and handles them in one transaction
(`linecomm.webhooks.batch`): the senders' member rows are created and locked with two statements for the
whole batch, every handler runs as it would alone, the events' outcomes are written with one UPDATE per
status, and the answers are stored in the outbox with one INSERT, claimed for sending, so they go out as
soon as the transaction commits. A full batch asks for another drain once it holds its events (on
SQLite, once it has committed), so a backlog spreads over every worker.

If any event of the batch fails, the batch is handled again one event at a time inside the same
transaction, each in a savepoint, with the events still locked: one bad event never holds back the
others, and it is retried later with a backoff (`next_attempt_at`) until it is marked failed.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from linecomm.db import dialect_name
from linecomm.queue import JobQueue
from linecomm.webhooks.models import InboxStatus, WebhookEvent

DRAIN_JOB = "linecomm.webhooks.jobs.drain_inbox"
DRAIN_KEY = "webhooks.inbox"
BATCH = 100
SQLITE_BATCH = 10  # SQLite has one writer: a batch holds the write lock, and webhooks wait for it


def batch_size(session: Session) -> int:
    return BATCH if claims_in_parallel(session) else min(BATCH, SQLITE_BATCH)


def claims_in_parallel(session: Session) -> bool:
    """Whether two workers can each hold a batch at once (PostgreSQL), or take turns (SQLite's one writer)."""
    return dialect_name(session) == "postgresql"


def request_now(queue: JobQueue) -> bool:
    """Ask for a drain unless one is already waiting (raises QueueUnavailable when the queue is down)."""
    return queue.enqueue_coalesced(DRAIN_KEY, DRAIN_JOB)


@dataclass
class InboxEvent:
    """A claimed inbox row, as plain data: the batch records every event's outcome with one UPDATE per
    status instead of loading each row into the ORM and writing it back."""

    id: int
    webhook_event_id: str
    event_type: str
    mode: str | None
    source_type: str | None
    user_id: str | None
    occurred_at: datetime | None
    payload: str
    attempts: int
    status: str = InboxStatus.PENDING
    handled_at: datetime | None = None


_CLAIMED = tuple(getattr(WebhookEvent, f.name) for f in fields(InboxEvent) if f.name not in ("status", "handled_at"))


def claim(session: Session, now: datetime, limit: int) -> list[InboxEvent]:
    """Lock up to `limit` pending events that are due, oldest first; rows other workers hold are skipped."""
    stmt = (
        select(*_CLAIMED)
        .where(
            WebhookEvent.status == InboxStatus.PENDING,
            or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= now),
        )
        .order_by(WebhookEvent.id)
        .limit(limit)
    )
    if claims_in_parallel(session):
        stmt = stmt.with_for_update(skip_locked=True)
    return [InboxEvent(*row) for row in session.execute(stmt)]
