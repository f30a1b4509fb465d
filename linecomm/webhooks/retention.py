"""What the webhook inbox holds about one LINE user: read for a data export, erased on deletion."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.webhooks.models import WebhookEvent


def events_of(session: Session, line_user_id: str) -> list[dict[str, Any]]:
    """The user's events as stored (type, time, and the message text or postback data they sent)."""
    out = []
    for row in session.scalars(
        select(WebhookEvent).where(WebhookEvent.user_id == line_user_id).order_by(WebhookEvent.id)
    ):
        payload = json.loads(row.payload or "{}")
        message = payload.get("message") or {}
        out.append({
            "type": row.event_type,
            "occurred_at": row.occurred_at.isoformat() if row.occurred_at else None,
            "text": message.get("text") if message.get("type") == "text" else None,
            "postback": (payload.get("postback") or {}).get("data"),
        })
    return out


def erase_user(session: Session, line_user_id: str) -> int:
    """Drop the user's id and event contents from the inbox (rows stay, so counts and dedup still work)."""
    result = session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.user_id == line_user_id)
        .values(user_id=None, source_id=None, payload='{"erased":true}', last_error=None)
    )
    return result.rowcount or 0
