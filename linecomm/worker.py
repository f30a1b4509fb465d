"""`linecomm worker`: an RQ worker that runs jobs in-process (no fork per job) and sweeps periodically."""
from __future__ import annotations

import logging
import threading

from linecomm.config import Settings
from linecomm.runtime import Runtime, set_process_default

log = logging.getLogger(__name__)


def _sweep_forever(rt: Runtime, stop: threading.Event) -> None:
    from linecomm.sweeper import sweep

    while not stop.wait(rt.settings.sweep_interval_seconds):
        try:
            sweep(rt)
        except Exception:
            log.warning("sweep failed; trying again next interval", exc_info=True)


def run_worker(settings: Settings, burst: bool = False) -> bool:
    """Work the queue until stopped (or, with `burst`, until it is empty). Returns RQ's result."""
    from rq import SimpleWorker

    from linecomm.queue import RedisJobQueue

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
        worker = SimpleWorker([rt.queue.queue], connection=rt.queue.redis)
        return worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
    finally:
        stop.set()
        set_process_default(None)
        rt.close()
