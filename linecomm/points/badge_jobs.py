"""The badge pass, started by the sweeper every interval (linecomm.sweeper.PERIODIC_JOBS) in the worker or
the embedded queue: every `RUN_EVERY` it grants the declarative badges anything missed and the
consecutive-months badges (linecomm.points.badge_grants.grant_missed, set-based). One transaction, safe to
run twice: the badges are UNIQUE per member."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from linecomm.db import transaction
from linecomm.points import badge_grants
from linecomm.points.badge_models import BadgeJobState

log = logging.getLogger(__name__)
PASS_JOB = "linecomm.points.badge_jobs.run_badge_pass"
RUN_EVERY = timedelta(hours=1)


def _state(session: Session) -> BadgeJobState:
    state = session.get(BadgeJobState, 1, with_for_update=True)
    if state is None:
        state = BadgeJobState(id=1, last_granted=0)
        session.add(state)
        session.flush()
    return state


def pass_now(session: Session, now: datetime, *, force: bool = False) -> int | None:
    """Grant what is due unless the pass ran less than RUN_EVERY ago (`force`: run anyway). Returns how many
    badges were granted, None when it was not due."""
    state = _state(session)
    if not force and state.ran_at is not None and state.ran_at > now - RUN_EVERY:
        return None
    granted = badge_grants.grant_missed(session, now)
    state.ran_at, state.last_granted = now, granted
    return granted


def run_badge_pass() -> None:
    from linecomm import runtime

    rt = runtime.current()
    with transaction(rt.sessions) as session:
        granted = pass_now(session, rt.clock())
    if granted:
        log.info("badge pass: %d badge(s) granted", granted)
