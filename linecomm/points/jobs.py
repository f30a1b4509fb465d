"""The points pass, started by the sweeper every interval (linecomm.sweeper.PERIODIC_JOBS) in the worker or
the embedded queue: once per JST day it applies expiry and warns of what expires soon; every
`RECOMPUTE_EVERY` it recomputes the balances and ranks from the ledger and repairs drift. Each step is its
own transaction and safe to run twice."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from linecomm.db import transaction
from linecomm.points import expiry_notices, tallies
from linecomm.points.models import PointsJobState
from linecomm.timezones import JST

log = logging.getLogger(__name__)
PASS_JOB = "linecomm.points.jobs.run_points_pass"
RECOMPUTE_JOB = "linecomm.points.jobs.recompute_balances"
EXPIRY_JOB = "linecomm.points.jobs.apply_expiry"
RECOMPUTE_EVERY = timedelta(hours=1)


def _state(session: Session) -> PointsJobState:
    state = session.get(PointsJobState, 1, with_for_update=True)
    if state is None:
        state = PointsJobState(id=1, last_drift=0)
        session.add(state)
        session.flush()
    return state


def recompute_now(session: Session, now: datetime) -> int:
    recount = tallies.recompute(session, now)
    state = _state(session)
    state.recomputed_at, state.last_drift = now, recount.drifted
    if recount.ranks_repaired:
        log.info("points recompute: %d rank(s) repaired", recount.ranks_repaired)
    return recount.drifted


def expire_now(session: Session, now: datetime, liff_id: str | None = None) -> int:
    """Expire what is due, then warn members of what expires within expiry_notices.WARN_DAYS."""
    expired = tallies.apply_expiry(session, now)
    warned = expiry_notices.warn(session, now, liff_id)
    if warned:
        log.info("points expiry: %d member(s) warned of points about to expire", warned)
    _state(session).expired_on = now.astimezone(JST).date().isoformat()
    return expired


def run_points_pass() -> None:
    from linecomm import runtime

    rt = runtime.current()
    now = rt.clock()
    with transaction(rt.sessions) as session:
        state = _state(session)
        expiry_due = state.expired_on != now.astimezone(JST).date().isoformat()
        recompute_due = state.recomputed_at is None or state.recomputed_at <= now - RECOMPUTE_EVERY
    if expiry_due:
        apply_expiry()
    if recompute_due:
        recompute_balances()


def recompute_balances() -> None:
    from linecomm import runtime

    rt = runtime.current()
    with transaction(rt.sessions) as session:
        drifted = recompute_now(session, rt.clock())
    log.info("points recompute: %d balance(s) drifted and repaired", drifted)


def apply_expiry() -> None:
    from linecomm import runtime

    rt = runtime.current()
    with transaction(rt.sessions) as session:
        expired = expire_now(session, rt.clock(), rt.settings.liff_id)
    if expired:
        log.info("points expiry: %d point(s) expired", expired)
