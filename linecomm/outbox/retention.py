"""What the outbox holds about one recipient: read for a data export, erased on deletion."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.outbox.models import OutboundMessage, OutboundStatus


def messages_to(session: Session, line_user_id: str) -> list[dict[str, Any]]:
    out = []
    for row in session.scalars(
        select(OutboundMessage).where(OutboundMessage.to == line_user_id).order_by(OutboundMessage.id)
    ):
        out.append({
            "created_at": row.created_at.isoformat() if row.created_at else None,
            "status": row.status,
            "texts": [m.get("text") for m in json.loads(row.messages or "[]") if m.get("type") == "text"],
        })
    return out


def erase_recipient(session: Session, line_user_id: str) -> int:
    """Stop anything still pending to the user and drop their id and the message contents."""
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.to == line_user_id, OutboundMessage.status == OutboundStatus.PENDING)
        .values(status=OutboundStatus.SKIPPED)
    )
    result = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.to == line_user_id)
        .values(to="erased", messages="[]", reply_token=None, last_error=None)
    )
    return result.rowcount or 0
