"""RQ entry points for sending stored messages."""
from __future__ import annotations

import logging

from linecomm import runtime
from linecomm.db import transaction
from linecomm.members import service as members
from linecomm.outbox import service

log = logging.getLogger(__name__)


def deliver_messages(message_ids: list[int], attempt: int = 0) -> None:
    """Send each stored message once; those LINE asked to retry are re-enqueued with backoff."""
    rt = runtime.current()
    retry: list[int] = []
    for message_id in message_ids:
        with transaction(rt.sessions) as session:
            if service.deliver(session, rt.line, message_id, can_receive=members.is_reachable) == "retry":
                retry.append(message_id)
    if retry:
        delay = min(300.0, 2.0 ** attempt)
        try:
            rt.queue.enqueue_in(delay, service.DELIVER_JOB, retry, attempt + 1)
        except Exception:
            log.warning("could not schedule a retry for messages %s; the sweeper will", retry, exc_info=True)
