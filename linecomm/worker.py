"""`linecomm worker`: an RQ worker that runs jobs in-process (no fork per job) and sweeps periodically."""
from __future__ import annotations

import logging
import threading
import time

from linecomm.config import Settings
from linecomm.queue import RedisJobQueue
from linecomm.runtime import Runtime, set_process_default

log = logging.getLogger(__name__)


def _sweep_forever(rt: Runtime, stop: threading.Event) -> None:
    """Sweep once at start (a worker started after a crash picks up what the dead one left, without
    waiting a full interval), then every interval. RQ's own recovery of abandoned jobs is not relied on:
    the rows in the database say what is unfinished."""
    from linecomm.sweeper import sweep

    while True:
        try:
            sweep(rt)
        except Exception:
            log.warning("sweep failed; trying again next interval", exc_info=True)
        if stop.wait(rt.settings.sweep_interval_seconds):
            return


def _work(rt: Runtime, burst: bool) -> bool:
    """Run RQ's worker loop. RQ gives up when Redis vanishes while it records a finished job; a Redis
    restart should not take the worker down with it (the sweeper thread, which finds what the restart
    lost, lives in this process), so a long-running worker starts RQ's loop again once Redis answers."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    from linecomm.worker_scheduler import WorkerWithBoundScheduler

    assert isinstance(rt.queue, RedisJobQueue)
    pause = 1.0
    while True:
        try:
            # A QueueWorker whose RQ scheduler process dies with it (linecomm.worker_scheduler).
            worker = WorkerWithBoundScheduler([rt.queue.queue], connection=rt.queue.redis)
            # `linecomm -v worker` logs every job RQ starts and ends; quiet otherwise.
            level = "INFO" if logging.getLogger().isEnabledFor(logging.INFO) else "WARNING"
            return worker.work(burst=burst, with_scheduler=True, logging_level=level)
        except (RedisConnectionError, RedisTimeoutError):
            if burst:
                raise
            log.warning("lost Redis; starting the worker loop again in %.0f s", pause, exc_info=True)
            time.sleep(pause)
            pause = min(pause * 2, 30.0)


def run_worker(settings: Settings, burst: bool = False) -> bool:
    """Work the queue until stopped (or, with `burst`, until it is empty). Returns RQ's result."""
    settings.check()
    if not settings.redis_url:
        raise SystemExit("REDIS_URL is not set: without Redis, jobs run inside the web process")
    rt = Runtime.build(settings)
    set_process_default(rt)
    assert isinstance(rt.queue, RedisJobQueue)
    stop = threading.Event()
    if not burst:
        threading.Thread(target=_sweep_forever, args=(rt, stop), name="linecomm-sweeper", daemon=True).start()
    try:
        return _work(rt, burst)
    finally:
        stop.set()
        set_process_default(None)
        rt.close()
