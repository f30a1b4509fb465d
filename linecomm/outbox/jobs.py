"""RQ entry points for sending stored messages."""
from __future__ import annotations

import logging

from linecomm import runtime
from linecomm.outbox import recipients, sending
from linecomm.runtime import Runtime

log = logging.getLogger(__name__)


def deliver_messages(message_ids: list[int], attempt: int = 0) -> None:
    """Send each stored message once; those LINE asked to retry are re-enqueued with backoff."""
    rt = runtime.current()
    retry = sending.deliver_many(rt.sessions, rt.line, message_ids, reachable_among=recipients.reachable_among)
    if retry:
        schedule_retry(rt, retry, attempt)


def schedule_retry(rt: Runtime, message_ids: list[int], attempt: int) -> None:
    """Try `message_ids` again after a backoff that doubles with each attempt (1 s up to 5 minutes)."""
    delay = min(300.0, 2.0**attempt)
    try:
        rt.queue.enqueue_in(delay, sending.DELIVER_JOB, message_ids, attempt + 1)
    except Exception:
        log.warning("could not schedule a retry for messages %s; the sweeper will", message_ids, exc_info=True)
