"""Hand a stored webhook event to what handles it: a LINE user's follow, unfollow, message or postback to
the chat router (linecomm.chat.router), a group's or room's events to linecomm.webhooks.groups."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from linecomm.chat import replies, router
from linecomm.chat.context import Batch, EventContext, Sender
from linecomm.config import Settings
from linecomm.line.client import LineClient
from linecomm.timezones import from_line_timestamp
from linecomm.webhooks import groups
from linecomm.webhooks.drain import InboxEvent
from linecomm.webhooks.models import InboxStatus, WebhookEvent

log = logging.getLogger(__name__)
Handler = Callable[[EventContext], None]

HANDLERS: dict[str, Handler] = {
    "follow": router.dispatch,
    "unfollow": router.dispatch,
    "message": router.dispatch,
    "postback": router.dispatch,
    "join": groups.on_join,
    "leave": groups.on_leave,
    "memberJoined": groups.on_member_change,
    "memberLeft": groups.on_member_change,
}


def acts_on_member(row: WebhookEvent | InboxEvent) -> bool:
    """Whether handling `row` creates or changes the sender's member row."""
    return (row.event_type in router.MEMBER_EVENTS and row.source_type == "user" and row.mode != "standby"
            and row.user_id is not None)


def handle(
    session: Session,
    line: LineClient,
    settings: Settings,
    row: WebhookEvent | InboxEvent,
    now: datetime,
    members: dict[str, Sender] | None = None,
    batch: Batch | None = None,
    payload: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Act on one pending inbox row inside the caller's transaction and mark it handled.

    `members`: the senders' rows, already created and locked by the caller (a batch), else looked up.
    `batch`: what the handlers may know of the batch's other events; `payload`: the row's payload, parsed.
    Returns the answers queued while handling (`outbox.message_row`s) for the caller to store before it
    commits (`outbox.store_new`) and send after."""
    if payload is None:
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
        members=members,
        batch=batch,
    )
    with replies.handling(session, ctx):  # features may add to the reply (chat.replies)
        handler(ctx)
    ctx.flush_reply()
    replies.queued(session, ctx.queued)
    row.status, row.handled_at = InboxStatus.DONE, now
    return ctx.queued
