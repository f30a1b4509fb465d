"""Send stored messages exactly once, and record every outcome.

A message is a row before it is a request (`linecomm.outbox.queueing` stores it); this module claims
pending rows (`deliver_many`, or `claim_new` in the transaction that stores them), sends them in chunks
after commit, and writes each outcome in short transactions of its own. Replies use the reply token while
it is fresh (free for the brand); otherwise, or when the token has expired, a push with the stored retry key.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, or_, select, true, update
from sqlalchemy.orm import Session, sessionmaker

from linecomm.db import dialect_name, one_of, transaction, update_rows, utcnow
from linecomm.line.client import (
    LineAlreadyAccepted,
    LineClient,
    LineError,
    LineRejected,
    LineRetryable,
    ReplyTokenInvalid,
)
from linecomm.outbox.models import OutboundMessage, OutboundStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE_SECONDS = 300.0  # how long a claim keeps other senders off a message (renewed for every chunk)
CHUNK = 50  # messages sent between two writes of their state (see send_claimed)
DELIVER_JOB = "linecomm.outbox.jobs.deliver_messages"


@dataclass(frozen=True)
class Attempt:
    """What one send needs, copied from the claimed row so no lock is held over the network."""

    id: int
    claim: str  # the claim_token this sender holds on the row
    to: str
    messages: str
    reply_token: str | None
    retry_key: str
    attempts: int
    try_reply: bool
    reply_tried_before: bool
    marked: bool = False  # its claim already noted the reply about to be tried (see send_claimed)


def new_claim() -> str:
    return str(uuid.uuid4())


def deliver_many(
    sessions: sessionmaker[Session],
    line: LineClient,
    message_ids: list[int],
    reachable_among: Callable[[Session, list[str]], set[str]],
) -> list[int]:
    """Send the stored messages among `message_ids` that are still pending and not claimed by another
    sender, each at most once; record every outcome. Returns the ids LINE asked us to retry later (they
    stay pending, attempt counted). Claim (`_claim`, one short transaction), then `send_claimed`."""
    if not message_ids:
        return []
    with transaction(sessions) as session:
        attempts = _claim(session, message_ids, utcnow(), reachable_among)
    return send_claimed(sessions, line, attempts)


def claim_new(row: dict[str, Any], now: datetime, reachable: bool, claim: str, mark: bool) -> bool:
    """Claim a `message_row` in the transaction that stores it, so it is sent as soon as that commits,
    without a second transaction to claim it: the same bookkeeping as `_claim` (`mark`: the row is in the
    first chunk, so its reply about to be tried is noted now). False when the recipient cannot receive it
    (the row is stored as skipped)."""
    if not reachable:
        row["status"] = OutboundStatus.SKIPPED
        return False
    row.update(attempts=1, claim_token=claim, lease_until=now + timedelta(seconds=LEASE_SECONDS),
               reply_attempted=mark and _fresh(row, now))
    return True


def new_attempt(message_id: int, row: dict[str, Any], now: datetime, marked: bool) -> Attempt:
    """The first attempt at a `message_row` claimed by `claim_new(..., mark=marked)`, stored as `message_id`."""
    return Attempt(message_id, row["claim_token"], row["to"], row["messages"], row["reply_token"], row["retry_key"],
                   row["attempts"], _fresh(row, now), False, marked)


def _fresh(row: dict[str, Any], now: datetime) -> bool:
    deadline = row["reply_deadline"]
    return bool(row["reply_token"]) and deadline is not None and now < deadline


def send_claimed(sessions: sessionmaker[Session], line: LineClient, attempts: list[Attempt]) -> list[int]:
    """Send claimed messages, `CHUNK` at a time, and record every outcome; return the ids to retry.

    No lock is held while LINE answers: the claim (`claim_token`, `lease_until`) keeps other senders off
    the rows, and every write is conditional on still holding it, so a sender whose lease ran out can
    neither send a row another has claimed since nor overwrite its outcome. Before a chunk is sent, one
    transaction records the previous chunk's outcomes, renews the lease and notes which rows are about to
    use their reply token (`reply_attempted`); the claim's own transaction does that for the first chunk.
    A worker that dies mid-send (or between its claim and its first request) therefore leaves at most one
    chunk whose replies may or may not have reached LINE (`reply_attempted`). Nothing is recorded as sent
    without LINE's 200 (or 409 for a repeated retry key): the retry replies while the token is fresh, and
    when LINE answers "invalid reply token" (used by the lost attempt, or expired: LINE does not say which)
    it pushes under the stored retry key. A reply has no retry key, so a member of that one chunk may get
    the message twice; linecomm prefers that to a member who never gets it."""
    retry: list[int] = []
    outcomes: list[dict[str, Any]] = []
    for start in range(0, len(attempts), CHUNK):
        chunk = attempts[start:start + CHUNK]
        if outcomes or not all(a.marked for a in chunk):
            with transaction(sessions) as session:
                _record(session, outcomes)
                ours = _renew(session, chunk)
        else:  # the first chunk, marked by the claim's own transaction
            ours = {a.id for a in chunk}
        outcomes = [_send(line, attempt) for attempt in chunk if attempt.id in ours]
        retry.extend(o["id"] for o in outcomes if o["status"] == OutboundStatus.PENDING)
    if outcomes:
        with transaction(sessions) as session:
            _record(session, outcomes)
    return retry


def _renew(session: Session, chunk: list[Attempt]) -> set[int]:
    """Extend this sender's lease on the chunk's rows and mark the replies about to be tried; return the
    ids still claimed by it (and pending)."""
    table = OutboundMessage.__table__
    ours: set[int] = set()
    lease = utcnow() + timedelta(seconds=LEASE_SECONDS)
    for claim in {a.claim for a in chunk}:
        ids = [a.id for a in chunk if a.claim == claim]
        replies = [a.id for a in chunk if a.claim == claim and a.try_reply]
        ours.update(session.scalars(
            update(table)
            .where(one_of(session, table.c.id, ids), table.c.claim_token == claim,
                   table.c.status == OutboundStatus.PENDING)
            .values(lease_until=lease,
                    reply_attempted=case((one_of(session, table.c.id, replies), true()), else_=table.c.reply_attempted))
            .returning(table.c.id)
        ))
    return ours


def _record(session: Session, outcomes: list[dict[str, Any]]) -> None:
    """Write the outcomes, each only if the row is still under this sender's claim (which it then ends)."""
    update_rows(session, OutboundMessage.__table__, outcomes, match=("id", "claim_token"),
                fixed={"claim_token": None, "lease_until": None})


def _claim(
    session: Session, ids: list[int], now: datetime, reachable_among: Callable[[Session, list[str]], set[str]]
) -> list[Attempt]:
    """Lock the pending, unclaimed rows among `ids`; skip recipients `reachable_among` leaves out; count
    the attempt and give the rows this sender's claim."""
    stmt = (
        select(OutboundMessage)
        .where(one_of(session, OutboundMessage.id, sorted(set(ids))), OutboundMessage.status == OutboundStatus.PENDING,
               _unclaimed(now))
        .order_by(OutboundMessage.id)
    )
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(session.scalars(stmt))
    reachable = reachable_among(session, sorted({row.to for row in rows})) if rows else set()
    claim, lease = new_claim(), now + timedelta(seconds=LEASE_SECONDS)
    attempts: list[Attempt] = []
    for row in rows:
        if row.to not in reachable:
            row.status = OutboundStatus.SKIPPED
            continue
        try_reply = bool(row.reply_token) and row.reply_deadline is not None and now < row.reply_deadline
        tried_before, mark = row.reply_attempted, len(attempts) < CHUNK
        row.attempts += 1
        row.claim_token, row.lease_until = claim, lease
        if mark and try_reply:
            row.reply_attempted = True
        attempts.append(Attempt(row.id, claim, row.to, row.messages, row.reply_token, row.retry_key, row.attempts,
                                try_reply, tried_before, mark))
    return attempts


def _unclaimed(now: datetime) -> Any:
    """Rows no sender holds, and whose `not_before` (quiet hours) has passed."""
    return and_(or_(OutboundMessage.lease_until.is_(None), OutboundMessage.lease_until < now),
                or_(OutboundMessage.not_before.is_(None), OutboundMessage.not_before <= now))


def _send(line: LineClient, attempt: Attempt) -> dict[str, Any]:
    """Make one attempt; return the row's new values for `_record` (status stays pending when LINE asks
    to retry, or on an error nobody foresaw: the message is retried rather than lost)."""
    messages = json.loads(attempt.messages)
    out: dict[str, Any] = {
        "id": attempt.id, "claim_token": attempt.claim, "status": OutboundStatus.SENT, "sent_at": utcnow(),
        "sent_via": None, "line_request_id": None, "last_error": None,
        "reply_attempted": attempt.try_reply or attempt.reply_tried_before,
    }
    try:
        if attempt.try_reply:
            try:
                out["line_request_id"], out["sent_via"] = line.reply(attempt.reply_token or "", messages), "reply"
            except ReplyTokenInvalid:  # expired, or used by an attempt whose answer was lost: push it surely
                if attempt.reply_tried_before:
                    log.info("message %s: its reply token is spent; pushing it (it may arrive twice)", attempt.id)
                out["line_request_id"] = line.push(attempt.to, messages, attempt.retry_key)
                out["sent_via"] = "push"
        else:
            out["line_request_id"], out["sent_via"] = line.push(attempt.to, messages, attempt.retry_key), "push"
    except LineAlreadyAccepted as exc:
        out.update(sent_via="push", line_request_id=exc.accepted_request_id)
    except LineRejected as exc:
        log.warning("LINE refused message %s: %s", attempt.id, exc)
        out.update(status=OutboundStatus.FAILED, sent_at=None, last_error=str(exc)[:2000])
    except Exception as exc:  # LineRetryable, or a bug: keep the message and try again later
        if not isinstance(exc, LineRetryable):
            log.exception("sending message %s failed unexpectedly", attempt.id)
        gave_up = attempt.attempts >= MAX_ATTEMPTS
        error = str(exc) if isinstance(exc, LineError) else f"{type(exc).__name__}: {exc}"
        out.update(status=OutboundStatus.FAILED if gave_up else OutboundStatus.PENDING, sent_at=None,
                   last_error=error[:2000])
        if attempt.try_reply and isinstance(exc, LineRetryable) and exc.status == 429:
            out["reply_attempted"] = attempt.reply_tried_before  # refused unread: the token is unused
    return out


def pending_ids(session: Session, older_than: datetime, limit: int = 1000) -> list[int]:
    """Messages still pending that were created before `older_than` and no sender is working on."""
    return list(
        session.scalars(
            select(OutboundMessage.id)
            .where(OutboundMessage.status == OutboundStatus.PENDING, OutboundMessage.created_at < older_than,
                   _unclaimed(utcnow()))
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
    )
