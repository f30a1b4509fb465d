"""The job queue: RQ on Redis, or the embedded in-process default.

Jobs are named by import path ("linecomm.webhooks.jobs.handle_events") and take primitive arguments only.
Nothing here is the guarantee that work happens: every job's state lives in database rows, and the
sweeper (linecomm.sweeper) re-enqueues rows left behind by a crash, a full queue or a Redis outage.
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import logging
import queue as stdlib_queue
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

log = logging.getLogger(__name__)
SESSION_JOBS_KEY = "linecomm.jobs_after_commit"
SAVEPOINT_MARKS_KEY = "linecomm.jobs_at_savepoints"


class JobQueue(Protocol):
    def enqueue(self, func: str, *args: Any, job_id: str | None = None) -> None: ...

    def enqueue_in(self, delay_seconds: float, func: str, *args: Any) -> None: ...

    def enqueue_coalesced(self, key: str, func: str, *args: Any) -> bool:
        """Enqueue `func(*args)` unless a job under `key` is already waiting to start (True if enqueued).
        The job calls `release_coalesced(key)` as it starts, so whatever is committed after that point
        asks for a new one."""

    def release_coalesced(self, key: str) -> None: ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...


class QueueUnavailable(RuntimeError):
    """The queue could not take the job; the rows behind it stay pending for the sweeper."""


def resolve(func: str) -> Callable[..., Any]:
    module_name, _, attr = func.partition(":")
    if not attr:
        module_name, _, attr = func.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def enqueue_after_commit(session: Session, func: str, *args: Any, job_id: str | None = None) -> None:
    """Enqueue `func(*args)` once the session's transaction commits; forget it on rollback."""
    session.info.setdefault(SESSION_JOBS_KEY, []).append((func, args, job_id))


def _enqueue_if_flag_taken(queue: JobQueue, took_flag: bool, key: str, func: str, args: tuple[Any, ...]) -> bool:
    """The rest of `enqueue_coalesced` for either queue: once the caller has taken the key's flag, enqueue
    the job, and drop the flag again should that fail (so the next commit asks anew)."""
    if not took_flag:
        return False
    try:
        queue.enqueue(func, *args)
    except QueueUnavailable:
        queue.release_coalesced(key)
        raise
    return True


def bind_to_sessions(factory: sessionmaker[Session], job_queue: JobQueue) -> None:
    """Make sessions from `factory` hand their after-commit jobs to `job_queue`. Jobs asked for inside a
    savepoint that is rolled back are forgotten with it; the others stay."""

    def _after_commit(session: Session) -> None:
        jobs = session.info.pop(SESSION_JOBS_KEY, [])
        session.info.pop(SAVEPOINT_MARKS_KEY, None)
        for func, args, job_id in jobs:
            try:
                job_queue.enqueue(func, *args, job_id=job_id)
            except Exception:  # the rows are committed; the sweeper will pick them up
                log.warning("could not enqueue %s; leaving it to the sweeper", func, exc_info=True)

    def _after_begin_savepoint(session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            marks = session.info.setdefault(SAVEPOINT_MARKS_KEY, {})
            marks[id(transaction)] = len(session.info.get(SESSION_JOBS_KEY, []))

    def _after_rollback(session: Session, previous: SessionTransaction) -> None:
        if previous.nested:
            mark = session.info.get(SAVEPOINT_MARKS_KEY, {}).pop(id(previous), None)
            if mark is not None:
                del session.info.get(SESSION_JOBS_KEY, [])[mark:]
            return
        session.info.pop(SESSION_JOBS_KEY, None)
        session.info.pop(SAVEPOINT_MARKS_KEY, None)

    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_transaction_create", _after_begin_savepoint)
    event.listen(factory, "after_soft_rollback", _after_rollback)


class EmbeddedJobQueue:
    """Runs jobs asynchronously on worker threads inside the app process, with a timer for delayed jobs.

    Why threads and not a database-polled queue or a subprocess: the jobs' durable state is already in
    the database (inbox rows, outbound messages), so the queue only needs to carry ids quickly; a crash
    loses only the in-memory list, and the periodic sweeper re-enqueues what it finds pending.
    """

    def __init__(self, run: Callable[[str, tuple[Any, ...]], None], workers: int = 2, retries: int = 3):
        self._run = run
        self._retries = retries
        self._jobs: stdlib_queue.Queue[tuple[str, tuple[Any, ...], int] | None] = stdlib_queue.Queue()
        self._timers: list[tuple[float, int, str, tuple[Any, ...], int, float | None]] = []
        self._timer_cv = threading.Condition()
        self._seq = itertools.count()
        self._closed = False
        self._coalesced: set[str] = set()
        self._coalesced_lock = threading.Lock()
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._work, name=f"linecomm-job-{i}", daemon=True) for i in range(workers)
        ]
        self._threads.append(threading.Thread(target=self._tick, name="linecomm-timer", daemon=True))
        for t in self._threads:
            t.start()

    def enqueue(self, func: str, *args: Any, job_id: str | None = None) -> None:
        if self._closed:
            raise QueueUnavailable("the embedded queue is closed")
        self._jobs.put((func, args, 0))

    def enqueue_in(self, delay_seconds: float, func: str, *args: Any) -> None:
        self._schedule(delay_seconds, func, args, 0)

    def enqueue_coalesced(self, key: str, func: str, *args: Any) -> bool:
        with self._coalesced_lock:
            took_flag = key not in self._coalesced
            self._coalesced.add(key)
        return _enqueue_if_flag_taken(self, took_flag, key, func, args)

    def release_coalesced(self, key: str) -> None:
        with self._coalesced_lock:
            self._coalesced.discard(key)

    def schedule_every(self, interval: float, func: str, *args: Any, first_delay: float | None = None) -> None:
        """Run `func(*args)` every `interval` seconds (the sweeper in the embedded default)."""
        self._schedule(interval if first_delay is None else first_delay, func, args, -1, period=interval)

    def _schedule(
        self, delay: float, func: str, args: tuple[Any, ...], attempt: int, period: float | None = None
    ) -> None:
        with self._timer_cv:
            heapq.heappush(self._timers, (time.monotonic() + delay, next(self._seq), func, args, attempt, period))
            self._timer_cv.notify()

    def ping(self) -> bool:
        return not self._closed and all(t.is_alive() for t in self._threads)

    def idle(self) -> bool:
        """True when nothing is queued or running (delayed jobs aside)."""
        with self._busy_lock:
            return self._jobs.unfinished_tasks == 0 and self._busy == 0

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)
        with self._timer_cv:
            self._timer_cv.notify_all()

    def _work(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                self._jobs.task_done()
                return
            func, args, attempt = item
            with self._busy_lock:
                self._busy += 1
            try:
                self._run(func, args)
            except Exception:
                log.exception("job %s failed (attempt %d)", func, attempt + 1)
                if 0 <= attempt and attempt + 1 < self._retries and not self._closed:
                    self._schedule(min(60.0, 2.0**attempt), func, args, attempt + 1)
            finally:
                with self._busy_lock:
                    self._busy -= 1
                self._jobs.task_done()

    def _tick(self) -> None:
        while not self._closed:
            with self._timer_cv:
                now = time.monotonic()
                due = []
                while self._timers and self._timers[0][0] <= now:
                    due.append(heapq.heappop(self._timers))
                if not due:
                    wait = (self._timers[0][0] - now) if self._timers else 1.0
                    self._timer_cv.wait(timeout=min(wait, 1.0))
                    continue
            for _at, _seq, func, args, attempt, period in due:
                if self._closed:
                    continue
                if period is not None:
                    self._schedule(period, func, args, -1, period=period)
                    attempt = self._retries  # periodic jobs are not retried; the next period is the retry
                self._jobs.put((func, args, attempt))


class RedisJobQueue:
    """RQ on Redis. Short socket timeouts so a Redis outage never holds up a webhook for long."""

    # How long a coalescing flag outlives a job that never started (a worker killed between taking the
    # job and releasing the flag): after that, the next caller enqueues again. The sweeper covers the gap.
    COALESCE_TTL_SECONDS = 10

    def __init__(self, redis_url: str, name: str = "linecomm"):
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=3.0)
        self.queue = Queue(name, connection=self.redis)
        self._coalesce_prefix = f"linecomm:{name}:coalesce:"

    def enqueue(self, func: str, *args: Any, job_id: str | None = None) -> None:
        from rq import Retry

        try:
            # One MULTI/EXEC round trip: without a pipeline RQ sends two (queue registry, then job + push).
            with self.redis.pipeline() as pipe:
                self.queue.enqueue(
                    func,
                    *args,
                    job_id=job_id,
                    result_ttl=0,
                    failure_ttl=7 * 86400,
                    retry=Retry(max=3, interval=[2, 10, 60]),
                    pipeline=pipe,
                )
                pipe.execute()
        except Exception as exc:
            raise QueueUnavailable(str(exc)) from exc

    def enqueue_coalesced(self, key: str, func: str, *args: Any) -> bool:
        """One SET NX round trip when a job is already waiting (the common case under load); when the
        flag is new, the job follows. Should that enqueue fail, the flag is dropped again."""
        try:
            took_flag = bool(self.redis.set(self._coalesce_prefix + key, b"1", nx=True, ex=self.COALESCE_TTL_SECONDS))
        except Exception as exc:
            raise QueueUnavailable(str(exc)) from exc
        return _enqueue_if_flag_taken(self, took_flag, key, func, args)

    def release_coalesced(self, key: str) -> None:
        try:
            self.redis.delete(self._coalesce_prefix + key)
        except Exception:  # the flag expires by itself; the job runs either way
            log.warning("could not release the coalescing flag %s", key, exc_info=True)

    def enqueue_in(self, delay_seconds: float, func: str, *args: Any) -> None:
        try:
            self.queue.enqueue_in(timedelta(seconds=delay_seconds), func, *args, result_ttl=0)
        except Exception as exc:
            raise QueueUnavailable(str(exc)) from exc

    def ping(self) -> bool:
        try:
            return bool(self.redis.ping())
        except Exception:
            return False

    def close(self) -> None:
        self.redis.close()
