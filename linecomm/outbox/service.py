"""Queue messages for a member and deliver them exactly once.

A message is a row before it is a request: `queue_message` stores it with a fresh retry key in the
caller's transaction; `deliver` sends it after commit. Replies use the reply token while it is fresh
(free for the brand); otherwise, or when the token has expired, a push with the stored retry key.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import dialect_name, utcnow
from linecomm.line.client import LineAlreadyAccepted, LineClient, LineRejected, LineRetryable, Message
from linecomm.line.limits import check_messages
from linecomm.outbox.models import OutboundMessage, OutboundStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
DELIVER_JOB = "linecomm.outbox.jobs.deliver_messages"


def queue_message(
    session: Session,
    *,
    key: str,
    to: str,
    messages: list[Message],
    member_id: int | None = None,
    reply_token: str | None = None,
    event_time: datetime | None = None,
    reply_ttl_seconds: float = 50.0,
) -> OutboundMessage:
    """Store a message for `to` under idempotency key `key` (a second call with the same key returns the
    first row). The reply token is used only until `event_time + reply_ttl_seconds`."""
    existing = session.scalar(select(OutboundMessage).where(OutboundMessage.idempotency_key == key))
    if existing is not None:
        return existing
    check_messages(messages)
    deadline = None
    if reply_token and event_time is not None:
        deadline = event_time + timedelta(seconds=reply_ttl_seconds)
    row = OutboundMessage(
        idempotency_key=key,
        to=to,
        member_id=member_id,
        messages=json.dumps(messages, ensure_ascii=False),
        reply_token=reply_token,
        reply_deadline=deadline,
        retry_key=str(uuid.uuid4()),
        status=OutboundStatus.PENDING,
    )
    session.add(row)
    session.flush()
    return row


def _lock(session: Session, message_id: int) -> OutboundMessage | None:
    stmt = select(OutboundMessage).where(OutboundMessage.id == message_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)


def deliver(
    session: Session, line: LineClient, message_id: int, can_receive: Callable[[Session, str], bool]
) -> str:
    """Send one stored message if it is still pending and `can_receive(session, to)` allows it; record the
    outcome. Returns the new status ("missing" when another worker holds the row or it does not exist).

    Holds the row lock for the duration of the call so two workers never send the same row.
    Returns "retry" when LINE asked us to come back later: the row stays pending, attempt counted."""
    row = _lock(session, message_id)
    if row is None or row.status != OutboundStatus.PENDING:
        return row.status if row else "missing"
    if not can_receive(session, row.to):
        row.status = OutboundStatus.SKIPPED
        return row.status
    messages = json.loads(row.messages)
    row.attempts += 1
    now = utcnow()
    try:
        if row.reply_token and row.reply_deadline and now < row.reply_deadline:
            first_reply = not row.reply_attempted
            row.reply_attempted = True
            try:
                row.line_request_id = line.reply(row.reply_token, messages)
                row.sent_via = "reply"
            except LineRejected as exc:
                if "reply token" not in str(exc).lower():
                    raise
                if not first_reply:
                    # An earlier attempt whose answer we never saw used the token: it was delivered.
                    row.sent_via = "reply"
                else:
                    row.line_request_id = line.push(row.to, messages, row.retry_key)
                    row.sent_via = "push"
        else:
            row.line_request_id = line.push(row.to, messages, row.retry_key)
            row.sent_via = "push"
        row.status = OutboundStatus.SENT
        row.sent_at = now
    except LineAlreadyAccepted as exc:
        row.status, row.sent_at, row.sent_via = OutboundStatus.SENT, now, "push"
        row.line_request_id = exc.accepted_request_id
    except LineRejected as exc:
        row.status, row.last_error = OutboundStatus.FAILED, str(exc)[:2000]
        log.warning("LINE refused message %s: %s", row.id, exc)
    except LineRetryable as exc:
        row.last_error = str(exc)[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboundStatus.FAILED
        else:
            return "retry"
    return row.status


def pending_ids(session: Session, older_than: datetime, limit: int = 1000) -> list[int]:
    return list(
        session.scalars(
            select(OutboundMessage.id)
            .where(OutboundMessage.status == OutboundStatus.PENDING, OutboundMessage.created_at < older_than)
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
    )
