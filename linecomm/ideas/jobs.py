"""The ideas pass as a job: started by the sweeper every interval (linecomm.sweeper), in the worker or the
embedded queue. One transaction; safe to run twice (only 募集中 ideas expire, a notice goes once)."""
from __future__ import annotations

import logging

from linecomm.db import transaction
from linecomm.ideas import stages

log = logging.getLogger(__name__)
PASS_JOB = "linecomm.ideas.jobs.run_ideas_pass"


def run_ideas_pass() -> None:
    from linecomm import runtime

    rt = runtime.current()
    with transaction(rt.sessions) as session:
        done = stages.run_pass(session, rt.clock(), rt.settings.liff_id or "")
    if done.expired or done.told:
        log.info("ideas pass: %d expired, %d authors told", done.expired, done.told)
