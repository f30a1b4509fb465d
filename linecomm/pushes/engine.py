"""The delivery engine: workers claim batches, send each as one multicast with its stored retry key, and
record the outcome. The database rows are the guarantee; nothing is sent twice, nothing is lost:

- A claim is a lease (`claimed_by`, `lease_expires_at`), taken with FOR UPDATE SKIP LOCKED on
  PostgreSQL (SQLite serialises writers). No transaction stays open while LINE is called.
- A worker killed at any moment leaves its batch pending; once the lease runs out another worker sends
  it again with the same X-Line-Retry-Key. If LINE had accepted the first request (the answer was
  lost), LINE answers 409 and the batch counts as sent: no member gets it twice.
- 429, 5xx and timeouts come back with backoff (same key); other 4xx fail the batch with LINE's
  message; "monthly limit" fails the rest of the delivery, which could only fail the same way.
- Members who unfollowed or left after the list was frozen are filtered out when their batch goes.
- Once quiet hours begin, lanes take no new batch; the delivery waits for their end (linecomm.pushes.quiet).
- When a delivery finishes, its owner (the feature whose message it is) is told (linecomm.pushes.owners).

Each delivery is worked by `lanes` jobs (one per worker, typically), each with a few sender threads,
all drawing from one rate limiter per channel (linecomm.pushes.ratelimit).
"""
from __future__ import annotations

import functools
import json
import logging
import os
import random
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, literal, literal_column, or_, select, true, update

from linecomm.db import UTCDateTime, transaction, utcnow
from linecomm.line.client import LineAlreadyAccepted, LineRejected, LineRetryable, MonthlyLimitReached
from linecomm.members.models import Member
from linecomm.pushes import copy, freeze, owners
from linecomm.pushes.models import BatchStatus, Delivery, DeliveryBatch, DeliveryKind, DeliveryStatus
from linecomm.pushes.quiet import QuietWatch
from linecomm.pushes.ratelimit import RateLimiter
from linecomm.pushes.segments import reachable

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
MAX_BACKOFF_SECONDS = 300.0
RETRY_KEY_LIFETIME = timedelta(hours=23)  # LINE remembers a retry key for 24 hours
HEARTBEAT_SECONDS = 2.0
B = DeliveryBatch.__table__
D = Delivery.__table__
PENDING_LITERAL = literal_column(f"'{BatchStatus.PENDING}'")


@dataclass(frozen=True)
class Claim:
    batch_id: int
    batch_no: int
    retry_key: str
    attempts: int
    first_attempt_at: datetime
    size: int
    to: list[str]


def _at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


@functools.cache
def _claim_statement(dialect: str) -> Any:
    """The claim, built once per dialect with bind parameters (2,000 claims, one expression tree):
    lease the first sendable batch; on PostgreSQL the UPDATE ... RETURNING feeds the recipient filter
    in the same statement."""
    now = bindparam("claim_now", type_=UTCDateTime())
    candidate = (
        select(B.c.id)
        .where(
            B.c.delivery_id == bindparam("claim_delivery"),
            B.c.status == PENDING_LITERAL,  # a literal, so even a generic plan can use the partial index
            or_(B.c.lease_expires_at.is_(None), B.c.lease_expires_at < now),
            or_(B.c.next_attempt_at.is_(None), B.c.next_attempt_at <= now),
            exists().where(D.c.id == bindparam("claim_delivery"), D.c.status == DeliveryStatus.SENDING,
                           D.c.not_before <= now),
        )
        .order_by(B.c.batch_no)
        .limit(1)
    )
    if dialect == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True, of=B)
    claimed = (
        update(B)
        .where(B.c.id == candidate.scalar_subquery())
        .values(
            claimed_by=bindparam("claim_worker"),
            lease_expires_at=bindparam("claim_lease_until", type_=UTCDateTime()),
            attempts=B.c.attempts + 1,
            first_attempt_at=func.coalesce(B.c.first_attempt_at, now),
        )
        .returning(B.c.id, B.c.batch_no, B.c.retry_key, B.c.attempts, B.c.first_attempt_at, B.c.size,
                   B.c.fixed_to, B.c.member_ids)
    )
    if dialect != "postgresql":
        return claimed
    mine = claimed.cte("claimed")
    reachable_ids = (
        select(func.array_agg(Member.line_user_id))
        .where(Member.id == mine.c.member_ids.any_(), reachable())
        .scalar_subquery()
    )
    return select(*[c for c in mine.c if c.name != "member_ids"], reachable_ids.label("to"))


def claim_batch(conn: Connection, delivery_id: int, worker: str, lease_seconds: float, now: datetime) -> Claim | None:
    """Lease the next sendable batch of a sending delivery and read its reachable recipients."""
    # Parameter names must not be column names: in an UPDATE those would become SET clauses.
    params = {"claim_delivery": delivery_id, "claim_worker": worker, "claim_now": now,
              "claim_lease_until": now + timedelta(seconds=lease_seconds)}
    row = conn.execute(_claim_statement(conn.dialect.name), params).first()
    if row is None:
        return None
    if row.fixed_to is not None:
        to = json.loads(row.fixed_to)
    elif conn.dialect.name == "postgresql":
        to = list(row.to or [])
    else:
        to = list(conn.scalars(_reachable_sqlite(), {"claim_batch": row.id}))
    return Claim(row.id, row.batch_no, row.retry_key, row.attempts, row.first_attempt_at, row.size, to)


@functools.cache
def _reachable_sqlite() -> Any:
    """The batch's frozen member ids (a JSON array), joined to members, filtered by who may be reached."""
    each = func.json_each(B.c.member_ids).table_valued("value")
    joined = B.join(each, true()).join(Member, Member.id == each.c.value)
    return select(Member.line_user_id).select_from(joined).where(B.c.id == bindparam("claim_batch"), reachable())


@dataclass(frozen=True)
class Outcome:
    """What LINE said about one attempt, before it is written down."""

    kind: str  # sent | skipped | failed | retry | quota
    request_id: str | None = None
    accepted_before: bool = False
    reason: str = ""
    status: int | None = None


def attempt(line: Any, limiter: RateLimiter, messages: list[dict[str, Any]], claim: Claim) -> Outcome:
    """Send one claimed batch as one multicast with its stored retry key (no database work here)."""
    if not claim.to:  # everyone in it left or blocked the account since the list was frozen
        return Outcome("skipped")
    limiter.acquire()
    try:
        return Outcome("sent", line.multicast(claim.to, messages, claim.retry_key))
    except LineAlreadyAccepted as exc:  # an earlier attempt went through; its answer was lost
        return Outcome("sent", exc.accepted_request_id, accepted_before=True)
    except MonthlyLimitReached:
        return Outcome("quota", reason=copy.quota_reached_during_send(), status=429)
    except LineRejected as exc:
        return Outcome("failed", reason=copy.line_rejected(f"{exc.status} {exc}"), status=exc.status)
    except LineRetryable as exc:
        return Outcome("retry", reason=f"{exc.status or 'network'} {exc}", status=exc.status)


@functools.cache
def _sent_statement() -> Any:
    """LINE has the batch. One stopped (cancelled) while it was in flight still went out: it says sent."""
    return (
        update(B)
        .where(B.c.id == bindparam("done_batch"), B.c.status.in_((BatchStatus.PENDING, BatchStatus.CANCELLED)))
        .values(
            status=bindparam("done_status"), sent_count=bindparam("done_sent"),
            skipped_count=bindparam("done_skipped"), finished_at=bindparam("done_at", type_=UTCDateTime()),
            line_request_id=bindparam("done_request"), accepted_before=bindparam("done_409"),
            claimed_by=None, lease_expires_at=None, last_error=None,
        )
    )


def record(conn: Connection, delivery_id: int, claim: Claim, outcome: Outcome, now: datetime) -> str:
    """Write an attempt's outcome on its batch; returns what became of the batch."""
    kind = outcome.kind
    if kind == "retry" and claim.attempts >= MAX_ATTEMPTS:
        kind, outcome = "failed", Outcome("failed", reason=copy.gave_up_retrying(outcome.reason))
    elif kind == "retry" and now - claim.first_attempt_at > RETRY_KEY_LIFETIME:
        kind, outcome = "failed", Outcome("failed", reason=copy.retry_key_expired())
    if kind in ("sent", "skipped"):
        conn.execute(_sent_statement(), {
            "done_batch": claim.batch_id, "done_status": BatchStatus.SENT if claim.to else BatchStatus.SKIPPED,
            "done_sent": len(claim.to), "done_skipped": claim.size - len(claim.to), "done_at": now,
            "done_request": (outcome.request_id or "")[:64] or None, "done_409": outcome.accepted_before,
        })
    elif kind == "retry":
        delay = backoff(claim.attempts, outcome.status)
        conn.execute(
            update(B)
            .where(B.c.id == claim.batch_id, B.c.status == BatchStatus.PENDING)
            .values(claimed_by=None, lease_expires_at=None, last_error=outcome.reason[:2000],
                    next_attempt_at=_at(now + timedelta(seconds=delay)))
        )
    else:  # failed, or quota: the monthly limit also fails every batch still to go
        if kind == "failed":
            log.warning("LINE refused batch %s of delivery %s: %s", claim.batch_no, delivery_id, outcome.reason)
        batches = B.c.id == claim.batch_id if kind == "failed" else B.c.delivery_id == delivery_id
        conn.execute(
            update(B)
            .where(batches, B.c.status == BatchStatus.PENDING)
            .values(status=BatchStatus.FAILED, last_error=outcome.reason[:2000], finished_at=_at(now),
                    claimed_by=None, lease_expires_at=None)
        )
    return kind


def backoff(attempts: int, status: int | None) -> float:
    """Seconds before the next attempt: short after LINE's rate limit, exponential otherwise."""
    base = 1.0 if status == 429 else min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class LaneView:
    """What a sender with nothing to claim needs to know: go on waiting, or stop."""

    status: str
    not_before: datetime  # a delivery resumed during quiet hours waits for their end
    pending: int
    wake_at: datetime | None  # the earliest moment a claimed or backed-off batch may be claimable
    freezing: bool = False  # part of the recipient list is still to be frozen (linecomm.pushes.freeze)


def look(conn: Connection, delivery_id: int) -> LaneView:
    delivery = conn.execute(
        select(D.c.status, D.c.not_before, D.c.freeze_after_id).where(D.c.id == delivery_id)
    ).first()
    if delivery is None:
        return LaneView(DeliveryStatus.FAILED, utcnow(), 0, None)
    row = conn.execute(
        select(func.count(), func.min(func.coalesce(B.c.lease_expires_at, B.c.next_attempt_at)))
        .where(B.c.delivery_id == delivery_id, B.c.status == BatchStatus.PENDING)
    ).one()
    return LaneView(delivery.status, delivery.not_before, int(row[0]), row[1], delivery.freeze_after_id is not None)


def finish(conn: Connection, delivery_id: int, now: datetime) -> str | None:
    """Close a sending delivery with no pending batch left: sent, or failed if nothing went out. Never
    one whose list is still being frozen (None then, as when batches are pending)."""
    counts = dict(
        conn.execute(
            select(B.c.status, func.count()).where(B.c.delivery_id == delivery_id).group_by(B.c.status)
        ).all()
    )
    if counts.get(BatchStatus.PENDING):
        return None
    went_out = counts.get(BatchStatus.SENT, 0) + counts.get(BatchStatus.SKIPPED, 0)
    final = DeliveryStatus.FAILED if counts.get(BatchStatus.FAILED) and not went_out else DeliveryStatus.SENT
    errors = conn.scalars(
        select(B.c.last_error).where(B.c.delivery_id == delivery_id, B.c.status == BatchStatus.FAILED).limit(1)
    ).first()
    done = conn.execute(
        update(D)
        .where(D.c.id == delivery_id, D.c.status == DeliveryStatus.SENDING, D.c.freeze_after_id.is_(None))
        .values(status=final, finished_at=_at(now), error=func.coalesce(D.c.error, errors))
    ).rowcount
    return final if done else None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


class Lane:
    """One job's share of a delivery: `threads` senders claiming batches until the delivery is done,
    paused or cancelled, until quiet hours begin, or until `deadline` (then the job hands the delivery
    back to the queue). Times come from the runtime's clock."""

    def __init__(self, rt: Any, delivery_id: int, limiter: RateLimiter, *, threads: int, deadline: float):
        self.rt, self.delivery_id, self.limiter = rt, delivery_id, limiter
        self.threads, self.deadline = threads, deadline
        self.settings, self.clock = rt.settings, rt.clock
        self._beat_lock = threading.Lock()
        self._last_beat = 0.0
        self.finished_as: str | None = None
        self.errors: list[BaseException] = []
        with rt.engine.connect() as conn:
            row = conn.execute(select(D.c.messages, D.c.kind).where(D.c.id == delivery_id)).first()
        self.messages: list[dict[str, Any]] = json.loads(row.messages if row else "[]")
        self.kind: str = row.kind if row else ""
        self.quiet = QuietWatch(exempt=row is None or row.kind == DeliveryKind.TEST)

    def run(self) -> datetime | None:
        """Work until there is nothing left for this lane. Returns when the delivery wants a lane again
        (now, or the end of quiet hours), or None when it is finished, paused or cancelled."""
        self._beat(force=True)
        senders = [threading.Thread(target=self._sender, name=f"push-{self.delivery_id}-{i}", daemon=True)
                   for i in range(self.threads)]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join()
        if self.errors:
            raise self.errors[0]
        with self.rt.engine.connect() as conn:
            view = look(conn, self.delivery_id)
        if view.status != DeliveryStatus.SENDING or (view.pending == 0 and not view.freezing):
            return None
        return max(self.clock(), view.not_before)

    def _sender(self) -> None:
        """Claim, send, and write the outcome down in the same transaction as the next claim."""
        worker = worker_name()
        done: tuple[Claim, Outcome] | None = None
        try:
            while True:
                now = self.clock()
                claim = None
                with self.rt.engine.begin() as conn:
                    if done is not None:
                        record(conn, self.delivery_id, *done, now)
                        done = None
                    if time.monotonic() < self.deadline and not self.quiet.hold(conn, self.delivery_id, now):
                        claim = claim_batch(conn, self.delivery_id, worker, self.settings.push_lease_seconds, now)
                if claim is not None:
                    done = (claim, attempt(self.rt.line, self.limiter, self.messages, claim))
                    self._beat()
                    continue
                if time.monotonic() >= self.deadline or not self._wait_or_stop():
                    return
        except BaseException as exc:  # an unwritten outcome's lease runs out; the batch is retried
            log.exception("sender for delivery %s stopped", self.delivery_id)
            self.errors.append(exc)

    def _wait_or_stop(self) -> bool:
        """Nothing claimable now: finish the delivery, or sleep until something may be; False to stop."""
        now = self.clock()
        with self.rt.engine.begin() as conn:
            view = look(conn, self.delivery_id)
            if view.status != DeliveryStatus.SENDING:
                return False
            if view.pending == 0 and not view.freezing:  # even in quiet hours: nothing is left to wait for
                final = finish(conn, self.delivery_id, now)
                if final:
                    owners.status_changed(conn, self.kind, self.delivery_id, final)
                    self.finished_as = final
                return False
        if view.pending == 0:
            # The rest of the list is still to be frozen: the start job is at it (this waits for its row
            # lock and finds it done), or it died, and this lane does it. Then claim again.
            with transaction(self.rt.sessions) as session:
                freeze.freeze_rest(session, self.delivery_id)
            return True
        if view.not_before > now:  # quiet hours: the job comes back at their end
            return False
        self._beat()
        wait = 0.5 if view.wake_at is None else (view.wake_at - now).total_seconds()
        left = self.deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(max(wait, 0.02), 0.5, left))
        return True

    def _beat(self, force: bool = False) -> None:
        with self._beat_lock:
            if not force and time.monotonic() - self._last_beat < HEARTBEAT_SECONDS:
                return
            self._last_beat = time.monotonic()
        with self.rt.engine.begin() as conn:
            conn.execute(update(D).where(D.c.id == self.delivery_id).values(heartbeat_at=_at(self.clock())))


def touch(conn: Connection, delivery_ids: list[int], now: datetime) -> None:
    """Note that someone is (again) looking after these deliveries."""
    if delivery_ids:
        conn.execute(update(D).where(D.c.id.in_(delivery_ids)).values(heartbeat_at=_at(now)))


def stalled(conn: Connection, stall_seconds: float, now: datetime) -> tuple[list[int], list[int]]:
    """Deliveries nobody is working on: (starting ones never frozen, sending ones without a heartbeat)."""
    cutoff = now - timedelta(seconds=stall_seconds)
    starting = list(conn.scalars(
        select(D.c.id).where(
            D.c.status == DeliveryStatus.STARTING,
            func.coalesce(D.c.heartbeat_at, D.c.created_at) < cutoff,
            D.c.not_before <= now,
        )
    ))
    sending = list(conn.scalars(
        select(D.c.id).where(
            D.c.status == DeliveryStatus.SENDING,
            D.c.not_before <= now,
            or_(D.c.heartbeat_at.is_(None), D.c.heartbeat_at < cutoff),
        )
    ))
    return starting, sending

