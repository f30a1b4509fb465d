"""Store messages for members in the caller's transaction, one way: `message_row` builds a message's
columns (checked against LINE's limits, with a fresh retry key) and `store_new` inserts them, many in one
statement, skipping a key already stored. Nothing is sent here and nothing is committed: the caller
commits, then asks `linecomm.outbox.sending` (or the `DELIVER_JOB` it names) to send.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from linecomm.db import insert_rows_ignoring_conflicts, utcnow
from linecomm.line.client import Message
from linecomm.line.limits import check_messages
from linecomm.outbox.models import OutboundMessage, OutboundStatus


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
    not_before: datetime | None = None,
) -> int | None:
    """Store one message for `to` under idempotency key `key` (`message_row`, `store_new`); return its id,
    or None when a message with that key was stored already (and is sent, or being sent, already). The
    reply token is used only until `event_time + reply_ttl_seconds`; a push with `not_before` (the end of
    quiet hours) is not sent before that time."""
    row = message_row(key=key, to=to, messages=messages, member_id=member_id, reply_token=reply_token,
                      event_time=event_time, reply_ttl_seconds=reply_ttl_seconds)
    row["not_before"] = not_before
    return store_new(session, [row])[0]


def message_row(
    *,
    key: str,
    to: str,
    messages: list[Message],
    member_id: int | None = None,
    reply_token: str | None = None,
    event_time: datetime | None = None,
    reply_ttl_seconds: float = 50.0,
) -> dict[str, Any]:
    """The columns of a new pending message (its messages checked against LINE's limits), for
    `store_new`."""
    check_messages(messages)
    deadline = None
    if reply_token and event_time is not None:
        deadline = event_time + timedelta(seconds=reply_ttl_seconds)
    return _row(key, to, member_id, json.dumps(messages, ensure_ascii=False), reply_token, deadline, utcnow())


def message_rows(messages: list[Message], recipients: Iterable[tuple[str, str, int | None]]) -> list[dict[str, Any]]:
    """`message_row`s of the same pushed messages for many (key, to, member_id): the messages are checked
    and serialised once (a segment grant may rank 10,000 members up at once)."""
    check_messages(messages)
    body, now = json.dumps(messages, ensure_ascii=False), utcnow()
    return [_row(key, to, member_id, body, None, None, now) for key, to, member_id in recipients]


def _row(key: str, to: str, member_id: int | None, body: str, reply_token: str | None,
         reply_deadline: datetime | None, now: datetime) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "to": to,
        "member_id": member_id,
        "messages": body,
        "reply_token": reply_token,
        "reply_deadline": reply_deadline,
        "retry_key": str(uuid.uuid4()),
        "status": OutboundStatus.PENDING,
        "attempts": 0,
        "reply_attempted": False,
        "claim_token": None,
        "lease_until": None,
        "created_at": now,
    }


def store_new(session: Session, rows: list[dict[str, Any]]) -> list[int | None]:
    """Insert `message_row`s in one statement; return each one's id, in order. A row whose key is
    already taken is not inserted (its id is None): that message was stored, and is sent, already."""
    if not rows:
        return []
    stored = insert_rows_ignoring_conflicts(
        session, OutboundMessage.__table__, rows, ["idempotency_key"], ("id", "idempotency_key")
    )
    ids = {key: id_ for id_, key in stored}
    return [ids.get(row["idempotency_key"]) for row in rows]
