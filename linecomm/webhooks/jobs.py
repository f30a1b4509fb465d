"""RQ entry points for webhook events: handle stored events, then send what they queued."""
from __future__ import annotations

import logging

from sqlalchemy import select

from linecomm import runtime
from linecomm.db import dialect_name, transaction, utcnow
from linecomm.line.client import LineError
from linecomm.outbox.jobs import deliver_messages
from linecomm.webhooks import dispatch
from linecomm.webhooks.models import InboxStatus, WebhookEvent

log = logging.getLogger(__name__)
HANDLE_JOB = "linecomm.webhooks.jobs.handle_events"
MAX_ATTEMPTS = 5


def handle_events(inbox_ids: list[int]) -> None:
    """Handle each pending event once, in order, each in its own transaction; then send the replies.

    Safe to run twice or concurrently: a row is locked while handled and skipped once it is not pending."""
    rt = runtime.current()
    to_send: list[int] = []
    for inbox_id in inbox_ids:
        try:
            with transaction(rt.sessions) as session:
                stmt = select(WebhookEvent).where(WebhookEvent.id == inbox_id)
                if dialect_name(session) == "postgresql":
                    stmt = stmt.with_for_update(skip_locked=True)
                row = session.scalar(stmt)
                if row is None or row.status != InboxStatus.PENDING:
                    continue
                to_send.extend(dispatch.handle(session, rt.line, rt.settings, row, utcnow()))
        except Exception as exc:
            log.exception("webhook event %s failed", inbox_id)
            _record_failure(inbox_id, exc)
    if to_send:
        deliver_messages(to_send)


def _record_failure(inbox_id: int, exc: Exception) -> None:
    rt = runtime.current()
    with transaction(rt.sessions) as session:
        row = session.get(WebhookEvent, inbox_id)
        if row is None or row.status != InboxStatus.PENDING:
            return
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = InboxStatus.FAILED


def leave_chat(chat_type: str, chat_id: str, message_ids: list[int]) -> None:
    """Send the goodbye first, then leave the group or room."""
    rt = runtime.current()
    deliver_messages(message_ids)
    try:
        if chat_type == "group":
            rt.line.leave_group(chat_id)
        else:
            rt.line.leave_room(chat_id)
    except LineError as exc:
        log.warning("could not leave %s %s: %s", chat_type, chat_id, exc)
