"""Route a stored webhook event to the feature that handles it."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from linecomm.config import Settings
from linecomm.line.client import LineClient
from linecomm.members import chat
from linecomm.timezones import from_line_timestamp
from linecomm.webhooks import groups
from linecomm.webhooks.context import EventContext
from linecomm.webhooks.models import InboxStatus, WebhookEvent

log = logging.getLogger(__name__)
Handler = Callable[[EventContext], None]

HANDLERS: dict[str, Handler] = {
    "follow": chat.on_follow,
    "unfollow": chat.on_unfollow,
    "message": chat.on_message,
    "postback": chat.on_postback,
    "join": groups.on_join,
    "leave": groups.on_leave,
    "memberJoined": groups.on_member_change,
    "memberLeft": groups.on_member_change,
}


def handle(session: Session, line: LineClient, settings: Settings, row: WebhookEvent, now: datetime) -> list[int]:
    """Act on one pending inbox row inside the caller's transaction and mark it handled.

    Returns the outbox ids queued while handling, for the caller to send after commit."""
    payload = json.loads(row.payload)
    handler = HANDLERS.get(row.event_type)
    in_group = row.source_type in ("group", "room") and row.event_type in ("message", "postback")
    if row.mode == "standby" or handler is None or in_group:
        row.status, row.handled_at = InboxStatus.IGNORED, now
        return []
    ctx = EventContext(
        session=session,
        line=line,
        settings=settings,
        raw=payload,
        webhook_event_id=row.webhook_event_id,
        occurred_at=row.occurred_at or from_line_timestamp(payload.get("timestamp")) or now,
        now=now,
    )
    handler(ctx)
    ctx.flush_reply()
    row.status, row.handled_at = InboxStatus.DONE, now
    return ctx.queued_message_ids
