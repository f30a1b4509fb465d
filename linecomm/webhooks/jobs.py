"""RQ entry points for webhook events: drain the inbox in batches and send what they answer; leave a
group once its goodbye is out."""
from __future__ import annotations

import logging

from linecomm import runtime
from linecomm.db import transaction, utcnow
from linecomm.line.client import LineError
from linecomm.outbox import sending
from linecomm.outbox.jobs import deliver_messages, schedule_retry
from linecomm.queue import QueueUnavailable
from linecomm.webhooks import batch, drain

log = logging.getLogger(__name__)


def drain_inbox() -> int:
    """Handle one batch of pending events (`linecomm.webhooks.drain`), then send their answers.
    Returns the number of events handled."""
    rt = runtime.current()
    rt.queue.release_coalesced(drain.DRAIN_KEY)  # events committed from now on ask for a new drain
    now = utcnow()
    with transaction(rt.sessions) as session:
        limit = drain.batch_size(session)
        rows = drain.claim(session, now, limit)
        # A full batch: more may be waiting. On PostgreSQL another worker can take the next batch at once
        # (SKIP LOCKED); SQLite has one writer, so there the next drain is asked for after this commit.
        fan_out = len(rows) == limit
        if fan_out and drain.claims_in_parallel(session):
            _request_drain(rt)
            fan_out = False
        handled = batch.handle_batch(session, rt.line, rt.settings, rows, now) if rows else None
    if handled is None:
        return 0
    if fan_out:
        _request_drain(rt)
    if handled.retry_in is not None:
        _schedule_drain(rt, handled.retry_in + 0.5)
    retry = sending.send_claimed(rt.sessions, rt.line, handled.to_send)
    if retry:
        schedule_retry(rt, retry, attempt=0)
    return handled.events


def handle_events(inbox_ids: list[int]) -> int:
    """The job earlier versions enqueued per webhook body: the events it names are pending, so a drain
    handles them (with whatever else is waiting)."""
    return drain_inbox()


def _request_drain(rt: runtime.Runtime) -> None:
    try:
        drain.request_now(rt.queue)
    except QueueUnavailable:
        log.warning("could not ask for another drain; the sweeper will", exc_info=True)


def _schedule_drain(rt: runtime.Runtime, delay: float) -> None:
    try:
        rt.queue.enqueue_in(delay, drain.DRAIN_JOB)
    except Exception:
        log.warning("could not schedule a drain for failed events; the sweeper will", exc_info=True)


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
