"""Handle a claimed batch of inbox events in one transaction (see linecomm.webhooks.drain)."""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from linecomm.chat import replies, router
from linecomm.chat.context import Batch
from linecomm.config import Settings
from linecomm.db import one_of
from linecomm.line.client import LineClient
from linecomm.members import service as members
from linecomm.members.models import Member
from linecomm.outbox import queueing, sending
from linecomm.webhooks import dispatch
from linecomm.webhooks.drain import InboxEvent
from linecomm.webhooks.models import InboxStatus, WebhookEvent

log = logging.getLogger(__name__)


MAX_ATTEMPTS = 5  # an event that fails this many times is marked failed (replayable by operators)


def retry_delay(attempts: int) -> float:
    """Seconds before a failed event is tried again: 2, 4, 8, 16 s."""
    return float(2**attempts)


@dataclass(frozen=True)
class Handled:
    events: int
    to_send: list[sending.Attempt]  # answers claimed in the batch's transaction: send once it commits
    retry_in: float | None = None  # some events failed: drain again after this many seconds


def handle_batch(
    session: Session, line: LineClient, settings: Settings, rows: list[InboxEvent], now: datetime
) -> Handled:
    """Handle claimed events in order inside the caller's transaction, record their outcomes, and store
    their answers claimed for sending (`sending.claim_new`), to send once the caller commits.

    All at once first, inside a savepoint. If any event raises, the savepoint is rolled back (the events
    stay locked: their locks were taken before it) and they are handled one by one, each in a savepoint
    of its own; an event that fails again has the failure recorded (`retry_delay`, `MAX_ATTEMPTS`) and the
    others go on. No other worker can take them in between."""
    claim = sending.new_claim()
    try:
        with session.begin_nested():
            return _all_at_once(session, line, settings, rows, now, claim)
    except Exception:
        log.warning("a batch of %d event(s) failed; handling them one by one", len(rows), exc_info=True)
    return _one_by_one(session, line, settings, rows, now, claim)


def _all_at_once(
    session: Session, line: LineClient, settings: Settings, rows: list[InboxEvent], now: datetime, claim: str
) -> Handled:
    replies.stored(session)  # nothing is waiting from an earlier attempt
    senders = members.get_or_create_many(
        session, [row.user_id for row in rows if row.user_id and dispatch.acts_on_member(row)], now
    )
    active = {row.user_id for row in rows if row.event_type in router.ACTIVITY_EVENTS}
    members.touch_many(session, [m for user_id, m in senders.items() if user_id in active], now)
    payloads = [json.loads(row.payload) for row in rows]
    batch = Batch(member_ids=frozenset(m.id for m in senders.values()), message_ids=frozenset(
        str(p["message"]["id"]) for p in payloads if isinstance(p.get("message"), dict) and p["message"].get("id")))
    queued: list[dict[str, Any]] = []
    for row, payload in zip(rows, payloads, strict=True):
        queued.extend(dispatch.handle(session, line, settings, row, now, members=senders, batch=batch,
                                      payload=payload))
    batch.end(session)
    _write_outcomes(session, rows, now)
    return Handled(len(rows), _store_answers(session, queued, now, claim, lambda to: _follows(senders, to)))


def _one_by_one(
    session: Session, line: LineClient, settings: Settings, rows: list[InboxEvent], now: datetime, claim: str
) -> Handled:
    to_send: list[sending.Attempt] = []
    retry_in: float | None = None
    replies.stored(session)  # the failed batch's replies are gone
    for row in rows:
        row.status, row.handled_at = InboxStatus.PENDING, None  # undo what the failed attempt noted
        try:
            with session.begin_nested():
                queued = dispatch.handle(session, line, settings, row, now)
                _write_outcomes(session, [row], now)
                reachable = members.reachable_among(session, [m["to"] for m in queued])
                to_send.extend(_store_answers(session, queued, now, claim, reachable.__contains__))
        except Exception as exc:
            replies.stored(session)  # what it queued is rolled back
            log.exception("webhook event %s failed", row.id)
            delay = _record_failure(session, row, exc, now)
            if delay is not None:
                retry_in = delay if retry_in is None else min(retry_in, delay)
    return Handled(len(rows), to_send, retry_in)


def _write_outcomes(session: Session, rows: list[InboxEvent], now: datetime) -> None:
    """One UPDATE per status for the events' outcomes."""
    by_status: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_status[row.status].append(row.id)
    for status, ids in by_status.items():
        session.execute(
            update(WebhookEvent).where(one_of(session, WebhookEvent.id, ids)).values(status=status, handled_at=now),
            execution_options={"synchronize_session": False},
        )


def _store_answers(
    session: Session, queued: list[dict[str, Any]], now: datetime, claim: str, reachable: Callable[[str], bool]
) -> list[sending.Attempt]:
    """Store the answers (one INSERT), each claimed for sending unless its recipient cannot receive it;
    the first chunk's are marked by this transaction (see sending.send_claimed)."""
    marks: list[bool | None] = []  # None: not to be sent
    claimed = 0
    for message in queued:
        mark = claimed < sending.CHUNK
        if sending.claim_new(message, now, reachable(message["to"]), claim, mark):
            marks.append(mark)
            claimed += 1
        else:
            marks.append(None)
    ids = queueing.store_new(session, queued)
    replies.stored(session)
    return [
        sending.new_attempt(message_id, message, now, mark)
        for message_id, message, mark in zip(ids, queued, marks, strict=True)
        if mark is not None and message_id is not None
    ]


def _follows(senders: dict[str, Member], to: str) -> bool:
    """A sender who unfollowed later in the same batch gets nothing; anyone else (a group) may."""
    member = senders.get(to)
    return member is None or member.is_following


def _record_failure(session: Session, row: InboxEvent, exc: Exception, now: datetime) -> float | None:
    """Count a failed attempt; returns the delay before the next one (None once the event is given up)."""
    attempts = row.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    delay = None if gave_up else retry_delay(attempts)
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == row.id)
        .values(attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:2000],
                status=InboxStatus.FAILED if gave_up else InboxStatus.PENDING,
                next_attempt_at=None if delay is None else now + timedelta(seconds=delay)),
        execution_options={"synchronize_session": False},
    )
    return delay
