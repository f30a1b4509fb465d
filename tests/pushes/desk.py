"""`Desk`: what a marketer and the platform do in a push test (members, posts, schedules, waiting)."""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from linecomm.db import utcnow
from linecomm.line.fake import FakeLinePlatform
from linecomm.members.models import Member, MemberStatus
from linecomm.pushes import jobs
from linecomm.pushes import policy as policies
from linecomm.pushes.models import Delivery, DeliveryStatus
from linecomm.pushes.progress import Progress, progress
from linecomm.pushes.segments import Segment
from linecomm.queue import EmbeddedJobQueue
from linecomm.runtime import set_process_default
from linecomm.themes import posts, scheduling
from tests.support.community import Community

MULTICAST = "/v2/bot/message/multicast"


class ManualClock:
    """The time the push jobs see (the runtime's clock), moved by the test: evenings and mornings
    without waiting for them."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


@dataclass
class Desk:
    """What a marketer and the platform do, driven from a test."""

    community: Community
    background: threading.Event | None = None

    @contextmanager
    def worker_in_background(self) -> Iterator[None]:
        """Let the queue run on its own while the test acts (the embedded queue always does; with Redis,
        a thread keeps running burst workers), so the test can interleave with a delivery under way."""
        stop = threading.Event()
        self.background = stop
        queue = self.community.runtime.queue

        def loop() -> None:
            if isinstance(queue, EmbeddedJobQueue):
                return
            from rq.timeouts import TimerDeathPenalty

            from linecomm.queue_worker import QueueWorker

            class ThreadWorker(QueueWorker):
                """A burst worker off the main thread: no signal handlers, a timer for job timeouts."""

                death_penalty_class = TimerDeathPenalty

                def _install_signal_handlers(self) -> None:
                    pass

            set_process_default(self.community.runtime)
            while not stop.is_set():
                ThreadWorker([queue.queue], connection=queue.redis).work(
                    burst=True, with_scheduler=True, logging_level="WARNING")
                time.sleep(0.02)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)
            self.background = None

    @property
    def fake(self) -> FakeLinePlatform:
        return self.community.fake

    def members(self, n: int, *, cohort: str = "1期生", joined_at: datetime | None = None,
                status: str = MemberStatus.MEMBER, following: bool = True, friend: bool = True,
                last_active_at: datetime | None = None) -> list[str]:
        """Insert `n` members (one statement) and make them friends of the fake channel."""
        ids = ["U" + uuid.uuid4().hex for _ in range(n)]
        now = utcnow()
        rows = [dict(line_user_id=u, status=status, is_following=following, cohort=cohort, created_at=now,
                     followed_at=now, joined_at=joined_at or now - timedelta(days=30), last_active_at=last_active_at,
                     display_name=f"会員{i}") for i, u in enumerate(ids)]
        with self.community.session() as s:
            s.execute(insert(Member), rows)
        if friend:
            for u in ids:
                self.fake.add_user(u, "会員")
        return ids

    def no_quiet_hours(self, cap: int = 50) -> None:
        with self.community.session() as s:
            policies.update(s, quiet_start="00:00", quiet_end="00:00", weekly_cap=cap)

    def post(self, text: str = "今週のテーマ: お気に入りの使い方を教えてください", segment: Segment | None = None,
             **changes: Any) -> int:
        draft = posts.PostDraft(title="今週のテーマ", text=text, segment=segment or Segment())
        draft = replace(draft, **changes)
        with self.community.session() as s:
            return posts.create_post(s, draft, created_by="test").id

    def schedule(self, post_id: int, plan: scheduling.SendPlan | None = None,
                 now: datetime | None = None) -> scheduling.ScheduleResult:
        quota = self.community.runtime.line.get_quota()
        with self.community.session() as s:
            result = scheduling.schedule_post(s, post_id, plan or scheduling.SendPlan("now"), quota, now=now)
        jobs.wake_scheduler(self.community.runtime, result.starts_at)
        return result

    def send_now(self, post_id: int | None = None, **plan: Any) -> int:
        """Schedule a post for now and run the queue until its delivery is over; return its id."""
        post_id = post_id or self.post()
        self.schedule(post_id, scheduling.SendPlan("now", **plan))
        delivery_id = self.wait_for(lambda: self.delivery_of(post_id))
        self.finish(delivery_id)
        return delivery_id

    def delivery_of(self, post_id: int) -> int | None:
        with self.community.reader() as s:
            return s.scalar(select(Delivery.id).where(Delivery.post_id == post_id, Delivery.kind == "post")
                            .order_by(Delivery.id.desc()))

    def wait_for(self, probe: Callable[[], Any], timeout: float = 30.0, drain: bool = True) -> Any:
        """Run the queue here (unless it runs elsewhere) until `probe()` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if drain and self.background is None:
                self.community.drain()
            value = probe()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("timed out waiting")

    def use_clock(self, start: datetime) -> ManualClock:
        """From now on the jobs (scheduler, lanes, sweeper) read the time from a clock the test moves."""
        clock = ManualClock(start)
        self.community.runtime.clock = clock
        return clock

    def progress(self, delivery_id: int, now: datetime | None = None) -> Progress:
        with self.community.reader() as s:
            p = progress(s, delivery_id, now)
        assert p is not None
        return p

    def finish(self, delivery_id: int, timeout: float = 60.0, drain: bool = True) -> Progress:
        self.wait_for(lambda: self.progress(delivery_id).status not in
                      (DeliveryStatus.STARTING, DeliveryStatus.SENDING), timeout, drain)
        return self.progress(delivery_id)

    def multicasts(self) -> list[Any]:
        return [r for r in self.fake.requests if r.path == MULTICAST]

    def accepted_recipients(self) -> Counter[str]:
        """How many times LINE accepted (200) a multicast naming each user."""
        return Counter(u for r in self.multicasts() if r.status == 200 for u in r.json["to"])
