"""Re-enqueue work left pending by a crash, a lost job or a Redis outage: the database is the guarantee."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from linecomm.db import transaction, utcnow
from linecomm.outbox import sending
from linecomm.runtime import Runtime
from linecomm.webhooks.drain import DRAIN_JOB
from linecomm.webhooks.models import InboxStatus, WebhookEvent

log = logging.getLogger(__name__)
SWEEP_JOB = "linecomm.sweeper.sweep_job"
BATCH = 100
# Features' periodic passes, enqueued once per sweep (by path: the sweeper imports no feature). Each is a
# job that is cheap when there is nothing to do and safe to run twice.
PERIODIC_JOBS: tuple[str, ...] = ("linecomm.ideas.jobs.run_ideas_pass", "linecomm.points.jobs.run_points_pass",
                                 "linecomm.kpis.jobs.run_kpi_pass", "linecomm.points.badge_jobs.run_badge_pass",
                                 "linecomm.points.leaderboard_jobs.run_leaderboard_pass",
                                 "linecomm.kpis.weekly.run_weekly_summaries")


@dataclass(frozen=True)
class SweepResult:
    events: int
    messages: int
    deliveries: int = 0  # push deliveries opened or restarted (linecomm.pushes.jobs.sweep)


def sweep(rt: Runtime, grace_seconds: float | None = None, include_failed: bool = False) -> SweepResult:
    """Ask for a drain of inbox rows, and enqueue outbox messages, still pending after `grace_seconds`
    (`include_failed` also retries events that gave up). Raises QueueUnavailable if the queue is down."""
    grace = rt.settings.sweep_grace_seconds if grace_seconds is None else grace_seconds
    now = utcnow()
    cutoff = now - timedelta(seconds=grace)
    with transaction(rt.sessions) as session:
        if include_failed:
            session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.status == InboxStatus.FAILED)
                .values(status=InboxStatus.PENDING, attempts=0, next_attempt_at=None)
            )
        events = session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(
                WebhookEvent.status == InboxStatus.PENDING,
                WebhookEvent.received_at <= cutoff,
                or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= now),
            )
        ) or 0
        message_ids = sending.pending_ids(session, cutoff, limit=100_000)
    if events:
        # Straight onto the queue, not coalesced: a flag left by a lost job must not hide these rows.
        # One drain is enough: a full batch asks for the next.
        rt.queue.enqueue(DRAIN_JOB)
    for i in range(0, len(message_ids), BATCH):
        rt.queue.enqueue(sending.DELIVER_JOB, message_ids[i : i + BATCH])
    if events or message_ids:
        log.info("sweeper found %d pending event(s) and re-enqueued %d message(s)", events, len(message_ids))
    for job in PERIODIC_JOBS:
        rt.queue.enqueue(job)
    return SweepResult(events, len(message_ids), _sweep_pushes(rt))


def _sweep_pushes(rt: Runtime) -> int:
    """Due posts and step runs, and deliveries whose worker died; a failure here never stops the rest."""
    from linecomm.pushes import jobs as pushes

    try:
        return pushes.sweep(rt)
    except Exception:
        log.warning("push sweep failed; trying again next interval", exc_info=True)
        return 0


def sweep_job() -> None:
    from linecomm import runtime

    sweep(runtime.current())


def schedule_embedded_sweeps(rt: Runtime) -> None:
    """In the embedded default the timer thread sweeps shortly after start and then every interval."""
    from linecomm.queue import EmbeddedJobQueue

    if isinstance(rt.queue, EmbeddedJobQueue):
        rt.queue.schedule_every(rt.settings.sweep_interval_seconds, SWEEP_JOB, first_delay=1.0)
