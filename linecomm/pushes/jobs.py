"""RQ entry points for pushes: the scheduler pass, freezing a delivery, and the sending lanes.

Each job takes ids only, commits its own work, and is safe to run twice (or in parallel): a delivery is
frozen once (its row is locked and must still be "starting"), and lanes only ever claim batches. If a
job is lost (a killed worker, a Redis restart), `sweep` finds the delivery without a heartbeat and
enqueues it again. A delivery waiting for quiet hours to end is neither: its lanes come back at their end
(a timer), and the sweeper restarts it then if the timers were lost.

Jobs read the time from the runtime's clock (`Runtime.clock`).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from linecomm import runtime
from linecomm.db import transaction
from linecomm.line.client import LineError, Quota
from linecomm.pushes import engine, freeze, occurrences, owners
from linecomm.pushes.models import DeliveryKind, DeliveryStatus
from linecomm.pushes.ratelimit import limiter_for
from linecomm.queue import enqueue_after_commit
from linecomm.runtime import Runtime

log = logging.getLogger(__name__)
SCHEDULE_JOB = "linecomm.pushes.jobs.run_schedule"
START_JOB = "linecomm.pushes.jobs.start_delivery"
SEND_JOB = "linecomm.pushes.jobs.send_delivery"
EMBEDDED_SLICE_SECONDS = 5.0  # the embedded queue has two threads: leave one free for webhooks


def run_schedule() -> None:
    """Open every post occurrence and step run that is due, start them, and set a timer for the next."""
    rt = runtime.current()
    with transaction(rt.sessions) as session:
        due = occurrences.open_due(session, rt.clock(), rt.settings.push_batch_size)
        for delivery_id in due.delivery_ids:
            enqueue_after_commit(session, START_JOB, delivery_id)
    if due.wake_at is not None:
        wake_scheduler(rt, due.wake_at, only_if_soon=True)


def wake_scheduler(rt: Runtime, at: datetime, only_if_soon: bool = False) -> None:
    """Run the scheduler at `at` (now if it is past). The sweeper runs it too, so a lost timer only delays."""
    delay = (at - rt.clock()).total_seconds()
    if only_if_soon and delay > 2 * rt.settings.sweep_interval_seconds:
        return  # far off: the sweeper will set the timer when it comes closer
    try:
        if delay <= 0:
            rt.queue.enqueue(SCHEDULE_JOB)
        else:
            rt.queue.enqueue_in(delay + 0.05, SCHEDULE_JOB)
    except Exception:
        log.warning("could not set the push scheduler's timer; the sweeper will run it", exc_info=True)


def _quota(rt: Runtime, kind: str) -> Quota | None:
    if kind == DeliveryKind.TEST:
        return None
    return rt.line.get_quota()


def start_delivery(delivery_id: int) -> None:
    """Freeze the delivery's recipients (checking the quota LINE reports now) and start its lanes."""
    rt = runtime.current()
    with transaction(rt.sessions) as session:
        delivery = freeze.lock_delivery(session, delivery_id)
        if delivery is None:
            return
        status, kind = delivery.status, delivery.kind
    if status == DeliveryStatus.SENDING:
        fan_out(rt, delivery_id)
        _freeze_rest(rt, delivery_id)
        return
    if status != DeliveryStatus.STARTING:
        return
    try:
        quota = _quota(rt, kind)
    except LineError:
        log.warning("LINE did not tell the quota for delivery %s; trying again", delivery_id, exc_info=True)
        raise
    with transaction(rt.sessions) as session:
        frozen = freeze.freeze(session, delivery_id, quota, rt.clock())
        if frozen is not None:
            owners.status_changed(session, kind, delivery_id, frozen.status)
    if frozen is not None and frozen.status == DeliveryStatus.SENDING:
        fan_out(rt, delivery_id)
        _freeze_rest(rt, delivery_id)


def _freeze_rest(rt: Runtime, delivery_id: int) -> None:
    """A large list is frozen in two parts: the lanes send the first while this freezes the rest."""
    with transaction(rt.sessions) as session:
        freeze.freeze_rest(session, delivery_id)


def lanes_for(rt: Runtime) -> int:
    return 1 if rt.uses_embedded_queue else rt.settings.push_lanes


def fan_out(rt: Runtime, delivery_id: int) -> None:
    """Enqueue the delivery's lanes (one per worker we expect to share it)."""
    for lane in range(lanes_for(rt)):
        rt.queue.enqueue(SEND_JOB, delivery_id, lane)


def wake_delivery(delivery_id: int) -> None:
    """Start the lanes of a delivery that is ready to send (a test send, a resumed delivery)."""
    fan_out(runtime.current(), delivery_id)


def send_delivery(delivery_id: int, lane: int = 0) -> None:
    """Send the delivery's batches for a while, then hand it back to the queue if it is not done."""
    rt = runtime.current()
    slice_seconds = EMBEDDED_SLICE_SECONDS if rt.uses_embedded_queue else rt.settings.push_slice_seconds
    redis = getattr(rt.queue, "redis", None)
    limiter = limiter_for(rt.settings, redis)
    work = engine.Lane(rt, delivery_id, limiter, threads=rt.settings.push_threads,
                       deadline=time.monotonic() + slice_seconds)
    again = work.run()
    if again is None:
        return
    delay = (again - rt.clock()).total_seconds()
    try:
        if delay <= 0:
            rt.queue.enqueue(SEND_JOB, delivery_id, lane)
        else:
            rt.queue.enqueue_in(delay, SEND_JOB, delivery_id, lane)
    except Exception:
        log.warning("could not hand delivery %s back to the queue; the sweeper will", delivery_id, exc_info=True)


def sweep(rt: Runtime) -> int:
    """The sweeper's share: run the scheduler, restart deliveries nobody works on. Returns how many."""
    now = rt.clock()
    with transaction(rt.sessions) as session:
        due = occurrences.open_due(session, now, rt.settings.push_batch_size)
        starting, sending = engine.stalled(session.connection(), rt.settings.push_stall_seconds, now)
        engine.touch(session.connection(), [*starting, *sending], now)  # one restart per stall period
    for delivery_id in [*due.delivery_ids, *starting]:
        rt.queue.enqueue(START_JOB, delivery_id)
    for delivery_id in sending:
        fan_out(rt, delivery_id)
    if due.wake_at is not None:
        wake_scheduler(rt, due.wake_at, only_if_soon=True)
    if starting or sending:
        log.info("push sweeper restarted %d starting and %d stalled deliveries", len(starting), len(sending))
    return len(due.delivery_ids) + len(starting) + len(sending)
