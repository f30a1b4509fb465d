"""`linecomm worker`'s RQ scheduler dies with its worker: after a SIGKILL of the worker alone (not its
process group, as the kernel's OOM killer or `kill -9 <pid>` would do it) no scheduler is left behind holding
the lock, and the worker started in its place runs delayed jobs."""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus
from rq.scheduler import RQScheduler

from linecomm.config import Settings
from tests.pushes.processes import WorkerProcess
from tests.support.environment import environment_for

T = TypeVar("T")


def _wait_for(condition: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


def _stat(pid: int) -> tuple[str, int] | None:
    """The state and parent pid of a process, or None if there is none (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    state, ppid = stat.rsplit(")", 1)[1].split()[:2]
    return state, int(ppid)


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has exited


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _lock_holder_pid(redis: Redis, queue_name: str) -> int | None:
    """The pid of the scheduler holding the queue's scheduler lock, as it registered itself."""
    holder = redis.get(RQScheduler.get_locking_key(queue_name))
    if holder is None:
        return None
    pid = redis.hget(f"rq:scheduler:{holder.decode()}", "pid")
    return int(pid) if pid and int(pid) > 0 else None


def _scheduler_of(redis: Redis, queue_name: str, worker: WorkerProcess) -> int | None:
    """The pid of the lock-holding scheduler if it is a live child of `worker`."""
    pid = _lock_holder_pid(redis, queue_name)
    stat = _stat(pid) if pid else None
    return pid if stat and stat[1] == worker.process.pid and _alive(pid) else None


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_sigkilled_workers_scheduler_dies_and_the_next_worker_runs_delayed_jobs(
        settings: Settings, tmp_path: Path) -> None:
    redis = Redis.from_url(settings.redis_url)
    env = {**os.environ, **environment_for(settings)}
    first = WorkerProcess(env, tmp_path / "first.log")
    second: WorkerProcess | None = None
    try:
        orphan = _wait_for(lambda: _scheduler_of(redis, settings.queue_name, first), "the first scheduler")
        os.kill(first.process.pid, signal.SIGKILL)  # the worker alone: its scheduler child gets no signal
        first.process.wait(timeout=10)
        second = WorkerProcess(env, tmp_path / "second.log")

        _wait_for(lambda: not _alive(orphan), "the killed worker's scheduler to exit")
        _wait_for(lambda: _group_gone(first.process.pid), "every process the killed worker started to go")
        _wait_for(lambda: _scheduler_of(redis, settings.queue_name, second), "the new worker's scheduler")

        job = Queue(settings.queue_name, connection=redis).enqueue_in(timedelta(seconds=1), "os.getpid")
        _wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, "the delayed job to run")
        assert job.return_value(refresh=True) == second.process.pid
    finally:
        first.kill()  # the whole process group: an orphan scheduler too, should the test have failed
        first.stop()
        if second is not None:
            second.stop()
        redis.close()
