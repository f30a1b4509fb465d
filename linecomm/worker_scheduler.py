"""RQ's scheduler for `linecomm worker`: a process that dies with the worker that forked it.

RQ forks its scheduler (delayed and periodic jobs) as a child of the worker, which holds a lock in Redis
(`rq:scheduler-lock:<queue>`, 61 s, refreshed every second) so that one scheduler runs per queue. A worker
killed with SIGKILL cannot stop that child: the orphan went on refreshing the lock, and the worker started in
its place ran no scheduler (RQ only forks one after taking the lock, and tries again every ten minutes).
Here the scheduler checks every second that its worker is still its parent, and otherwise stops and releases
the lock; and a worker always starts its scheduler, which stands by while another holds the lock and asks
for it every few seconds, so the restarted worker's scheduler takes over as soon as the orphan lets go.
"""
from __future__ import annotations

import logging
import os
import time
from datetime import datetime
from typing import Any

from rq.scheduler import RQScheduler

from linecomm.queue_worker import QueueWorker

log = logging.getLogger(__name__)
LOCK_RETRY_SECONDS = 5.0  # a standing-by scheduler asks for the lock this often (RQ's own: 120 s)


class WorkerBoundScheduler(RQScheduler):
    """RQ's scheduler, which stops (releasing its lock) as soon as the worker that forked it is gone."""

    _worker_pid = 0

    def start(self) -> Any:
        self._worker_pid = os.getpid()  # runs in the worker, just before the fork
        return super().start()

    @property
    def should_reacquire_locks(self) -> bool:
        if self._queue_names == self.acquired_locks:
            return False
        since = self.lock_acquisition_time
        return since is None or (datetime.now() - since).total_seconds() >= LOCK_RETRY_SECONDS

    def work(self) -> None:
        """RQ's scheduler loop (`RQScheduler.work`), which also ends when its worker is no longer its parent."""
        self._install_signal_handlers()
        self.register_birth()
        while not self._stop_requested and os.getppid() == self._worker_pid:
            if self.should_reacquire_locks:
                self.acquire_locks()
            self.heartbeat()
            self.enqueue_scheduled_jobs()
            time.sleep(self.interval)
        if not self._stop_requested:
            log.warning("scheduler: worker %d is gone; stopping and releasing the lock", self._worker_pid)
        self.stop()


class WorkerWithBoundScheduler(QueueWorker):
    """The worker `linecomm worker` runs: its scheduler process dies with it, and is started even when
    another scheduler holds the lock (it then stands by for the lock)."""

    def _start_scheduler(self, burst: bool = False, logging_level: str | None = "INFO", *args: Any,
                         **kwargs: Any) -> None:
        if burst:  # RQ's burst mode enqueues the due jobs once, in this process: no child to bind
            super()._start_scheduler(burst, logging_level, *args, **kwargs)
            return
        self.scheduler = WorkerBoundScheduler(
            self.queues, connection=self.connection, serializer=self.serializer,
            logging_level=logging_level if logging_level is not None else self.log.level,
        )
        self.scheduler.acquire_locks()
        self.scheduler.start()
