"""Verify, parse and store a webhook body. No LINE call and no business logic happens here."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from linecomm.db import insert_rows_ignoring_conflicts, utcnow
from linecomm.line.event_check import InvalidEvent, check_event
from linecomm.queue import JobQueue
from linecomm.timezones import from_line_timestamp
from linecomm.webhooks import drain
from linecomm.webhooks.models import InboxStatus, WebhookEvent

log = logging.getLogger(__name__)
_NUL_OR_SURROGATE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_PAYLOAD_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The ids linecomm stores from an event, in the shape LINE gives them (a user id is "U" and 32 lowercase hex
# digits, a group "C…", a room "R…"; a message id is digits): the inbox, member, group, outbox and answer
# columns are sized for these, so anything else is a 400 here rather than a job failing in the worker.
_SOURCE_ID_SHAPES = (
    ("userId", re.compile(r"U[0-9a-f]{32}")),
    ("groupId", re.compile(r"C[0-9a-f]{32}")),
    ("roomId", re.compile(r"R[0-9a-f]{32}")),
)
_MESSAGE_ID_SHAPE = re.compile(r"[0-9]{1,32}")  # theme_answers.line_message_id is String(32)
MAX_REPLY_TOKEN = 255  # outbound_messages.reply_token is String(255)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


# Strict JSON (RFC 8259): NaN and Infinity, which Python's json reads, are refused like any other non-JSON.
_JSON = json.JSONDecoder(parse_constant=_not_json)


class InvalidSignature(Exception):
    pass


class InvalidBody(ValueError):
    """The body is not a webhook LINE would send (with a reason safe to log and return)."""


def signature_of(body: bytes, channel_secret: str) -> str:
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body: bytes, signature: str | None, channel_secret: str) -> None:
    """Raise InvalidSignature unless `signature` is the HMAC-SHA256 of the raw body (constant time)."""
    if not signature or not channel_secret:
        raise InvalidSignature("missing signature")
    expected = signature_of(body, channel_secret)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("ascii", "replace")):
        raise InvalidSignature("signature does not match")


@dataclass(frozen=True)
class StoredBody:
    received: int
    new_ids: list[int]

    @property
    def duplicates(self) -> int:
        return self.received - len(self.new_ids)


def parse_body(body: bytes) -> list[dict[str, Any]]:
    """The events of a webhook body, each checked by line-bot-sdk v3's models. Unknown event types pass
    (LINE adds types; we store them); a malformed event of a known type does not. What the SDK accepts is
    first tried on a compiled copy of its models' checks (linecomm.line.event_check): an event it
    passes is one `Event.from_dict` accepts; anything else goes to `Event.from_dict` for the verdict."""
    try:
        payload = _JSON.decode(body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidBody(f"body is not JSON: {str(exc)[:300]}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise InvalidBody("body must be an object with an `events` array")
    events = payload["events"]
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise InvalidBody(f"events[{index}] is not an object")
        event_id = event.get("webhookEventId")
        if not isinstance(event_id, str) or not 1 <= len(event_id) <= 64:
            raise InvalidBody(f"events[{index}].webhookEventId is missing or invalid")
        kind = event.get("type")
        if not isinstance(kind, str) or not kind:
            raise InvalidBody(f"events[{index}].type is missing")
        try:
            check_event(event)
        except InvalidEvent as exc:
            raise InvalidBody(f"events[{index}] is not a valid {kind} event: {str(exc)[:300]}") from None
        _check_stored_ids(index, event)
        timestamp = event.get("timestamp")
        if timestamp is not None:
            if not isinstance(timestamp, int | float):
                raise InvalidBody(f"events[{index}].timestamp is not a number")
            try:
                from_line_timestamp(timestamp)
            except (OverflowError, ValueError, OSError):
                raise InvalidBody(f"events[{index}].timestamp is out of range") from None
    if b"\\" in body and _NUL_OR_SURROGATE_ESCAPE.search(body):
        for index, event in enumerate(events):
            _refuse_unstorable(index, event)
    return events


def _check_stored_ids(index: int, event: dict[str, Any]) -> None:
    """Raise InvalidBody unless every id linecomm stores from the event, whatever its type (unknown types are
    stored too), has LINE's shape: the source's user, group and room ids, the reply token and message id."""
    source = event.get("source")
    if isinstance(source, dict):
        for key, shape in _SOURCE_ID_SHAPES:
            value = source.get(key)
            if value is not None and not (isinstance(value, str) and shape.fullmatch(value)):
                raise InvalidBody(f"events[{index}].source.{key} is not a LINE {key}")
    token = event.get("replyToken")
    if token is not None and not (isinstance(token, str) and len(token) <= MAX_REPLY_TOKEN):
        raise InvalidBody(f"events[{index}].replyToken is not a string of at most {MAX_REPLY_TOKEN} characters")
    message = event.get("message")
    if isinstance(message, dict):
        message_id = message.get("id")
        if message_id is not None and not (isinstance(message_id, str) and _MESSAGE_ID_SHAPE.fullmatch(message_id)):
            raise InvalidBody(f"events[{index}].message.id is not a LINE message id (1-32 digits)")


def _refuse_unstorable(index: int, event: dict[str, Any]) -> None:
    """Raise InvalidBody if the event's inbox row would hold NUL in a text column or a lone surrogate
    (PostgreSQL text refuses the one, UTF-8 cannot encode the other): a 400 instead of a failed INSERT.
    Only `\\u0000` and `\\uD800`-`\\uDFFF` escapes produce them, so only bodies with one come here."""
    row = _row(event, None)
    try:
        row["payload"].encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidBody(f"events[{index}] contains a lone surrogate (\\uD800-\\uDFFF)") from None
    if any(isinstance(value, str) and "\x00" in value for value in row.values()):
        raise InvalidBody(f"events[{index}] has NUL (\\u0000) in webhookEventId, type, mode or source")


def _row(event: dict[str, Any], now: Any) -> dict[str, Any]:
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    source_type = source.get("type")
    source_id = source.get("groupId") or source.get("roomId") or source.get("userId")
    delivery = event.get("deliveryContext") if isinstance(event.get("deliveryContext"), dict) else {}
    mode = event.get("mode")
    return {
        "webhook_event_id": event["webhookEventId"],
        "event_type": str(event["type"])[:40],
        "mode": str(mode)[:16] if mode else None,
        "source_type": str(source_type)[:16] if source_type else None,
        "source_id": str(source_id)[:64] if source_id else None,
        "user_id": str(source.get("userId"))[:64] if source.get("userId") else None,
        "occurred_at": from_line_timestamp(event.get("timestamp")),
        "is_redelivery": bool(delivery.get("isRedelivery")),
        "payload": _PAYLOAD_JSON.encode(event),
        "status": InboxStatus.PENDING,
        "attempts": 0,
        "received_at": now,
    }


def store_events(db: Session | Connection, events: list[dict[str, Any]]) -> StoredBody:
    """Insert the events into the inbox in one statement; ones already there (redelivery) change nothing.
    Neither commits nor asks for a drain: `store_body` does both, the worker benchmark only the first."""
    if not events:
        return StoredBody(0, [])
    now = utcnow()
    rows = {}
    for event in events:  # a body that repeats an id stores it once
        rows.setdefault(event["webhookEventId"], _row(event, now))
    table = WebhookEvent.__table__
    new_ids = insert_rows_ignoring_conflicts(db, table, list(rows.values()), ["webhook_event_id"], "id")
    return StoredBody(len(events), sorted(new_ids))


def store_body(engine: Engine, queue: JobQueue, events: list[dict[str, Any]]) -> StoredBody:
    """Commit a body's events to the inbox, then make sure a drain of the inbox is waiting (one job for
    many bodies: linecomm.webhooks.drain). When this returns, every event is durable.

    The INSERT is the whole unit of work, so it runs on a plain pooled connection rather than an ORM
    session, and on PostgreSQL in autocommit: one statement is atomic by itself, and BEGIN and COMMIT would
    be two more round trips for nothing. On SQLite it runs in a transaction begun IMMEDIATE, like every
    writer there (linecomm.db.make_engine).

    If the database connection turns out to be dead (PostgreSQL restarted, or the network dropped it
    without a word), it tries once more: SQLAlchemy has invalidated the pool by then, so the retry gets a
    fresh connection. The INSERT ignores rows already there, so the retry is safe even if the first
    statement went through; it then stores nothing new, so it asks for a drain regardless.

    If the queue is down the events stay committed and pending: the sweeper re-enqueues them."""
    try:
        stored = _insert_once(engine, events)
        ask = bool(stored.new_ids)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning("webhook: lost the database connection (%s); retrying once", exc.orig)
        stored, ask = _insert_once(engine, events), True
    if ask:
        try:
            drain.request_now(queue)
        except Exception as exc:  # QueueUnavailable or worse: the events are committed, the sweeper has them
            log.warning("webhook: could not ask for a drain (%s); the new events wait for the sweeper", exc)
    return stored


def _insert_once(engine: Engine, events: list[dict[str, Any]]) -> StoredBody:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return store_events(conn.execution_options(isolation_level="AUTOCOMMIT"), events)
    with engine.begin() as conn:
        return store_events(conn, events)
