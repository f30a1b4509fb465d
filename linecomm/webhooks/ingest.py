"""Verify, parse and store a webhook body. No LINE call and no business logic happens here."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from linebot.v3.webhooks import Event
from sqlalchemy.orm import Session

from linecomm.db import insert_rows_ignoring_conflicts, utcnow
from linecomm.queue import enqueue_after_commit
from linecomm.timezones import from_line_timestamp
from linecomm.webhooks.models import InboxStatus, WebhookEvent

HANDLE_JOB = "linecomm.webhooks.jobs.handle_events"
_KNOWN_TYPES = set(getattr(Event, "_Event__discriminator_value_class_map", {}).keys())


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
    (LINE adds types; we store them); a malformed event of a known type does not."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidBody(f"body is not JSON: {exc}") from None
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
        if kind in _KNOWN_TYPES:
            try:
                Event.from_dict(event)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise InvalidBody(f"events[{index}] is not a valid {kind} event: {str(exc)[:300]}") from None
        timestamp = event.get("timestamp")
        if timestamp is not None and not isinstance(timestamp, int | float):
            raise InvalidBody(f"events[{index}].timestamp is not a number")
    return events


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
        "payload": json.dumps(event, ensure_ascii=False, separators=(",", ":")),
        "status": InboxStatus.PENDING,
        "attempts": 0,
        "received_at": now,
    }


def store_events(session: Session, events: list[dict[str, Any]]) -> StoredBody:
    """Insert the events into the inbox; ones already there (redelivery) change nothing. The new rows'
    handling is enqueued when the caller's transaction commits."""
    if not events:
        return StoredBody(0, [])
    now = utcnow()
    rows = {}
    for event in events:  # a body that repeats an id stores it once
        rows.setdefault(event["webhookEventId"], _row(event, now))
    new_ids = sorted(
        insert_rows_ignoring_conflicts(session, WebhookEvent.__table__, list(rows.values()), ["webhook_event_id"], "id")
    )
    if new_ids:
        enqueue_after_commit(session, HANDLE_JOB, new_ids)
    return StoredBody(len(events), new_ids)
