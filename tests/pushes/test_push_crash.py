"""Exactly once when things break for real: a `linecomm worker` SIGKILLed mid-delivery, and Redis
restarted (empty) mid-delivery. Every member gets the post once; nothing is lost."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from linecomm.config import Settings
from linecomm.line.fake import FakeLinePlatform
from tests.pushes.desk import MULTICAST, Desk
from tests.pushes.processes import WorkerProcess, worker_env
from tests.support.community import Community
from tests.support.line_openapi import assert_conforms_to_openapi
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


def _assert_everyone_got_it_once(desk: Desk, users: list[str]) -> None:
    for user in users:
        assert len(desk.fake.messages_to(user)) == 1, user
    accepted = desk.accepted_recipients()
    assert sorted(accepted) == sorted(users) and set(accepted.values()) == {1}
    assert_conforms_to_openapi(desk.fake.requests)


def _accepted_batches(desk: Desk) -> int:
    return sum(1 for r in desk.multicasts() if r.status == 200)


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
    desk: Desk, settings: Settings, tmp_path: Path
) -> None:
    users = desk.members(60)  # twelve batches of five, three sender threads
    desk.fake.inject_fault(MULTICAST, status=None, delay=0.2, times=3)
    # The second wave is in LINE's hands when the worker dies: LINE delivers it, the answer is lost.
    desk.fake.inject_fault(MULTICAST, status=None, delay=2.0, times=3)
    desk.fake.inject_fault(MULTICAST, status=None, delay=0.2, times=1000)
    post_id = desk.post()
    desk.schedule(post_id)  # the scheduler job waits in Redis for a worker
    env = worker_env(settings)
    first = WorkerProcess(env, tmp_path / "worker-1.log")
    try:
        desk.wait_for(lambda: _accepted_batches(desk) >= 3, timeout=60, drain=False)
        time.sleep(0.5)
    finally:
        first.kill()
    delivery_id = desk.delivery_of(post_id)
    assert delivery_id is not None
    assert desk.progress(delivery_id).status == "sending" and _accepted_batches(desk) < 12
    second = WorkerProcess(env, tmp_path / "worker-2.log")
    try:
        done = desk.finish(delivery_id, timeout=90, drain=False)
    finally:
        second.stop()
    assert (done.status, done.sent, done.failed) == ("sent", 60, 0)
    assert done.accepted_before >= 1  # retried with the same key: LINE said 409, nobody got it twice
    _assert_everyone_got_it_once(desk, users)


def test_redis_restarted_mid_delivery_loses_nothing_and_sends_nothing_twice(
    settings: Settings, fake_line: FakeLinePlatform, private_redis: RedisServer, tmp_path: Path
) -> None:
    settings = settings.replace(redis_url=private_redis.url)
    with Community.start(settings, fake_line) as community:
        desk = Desk(community)
        desk.no_quiet_hours()
        users = desk.members(100)
        desk.fake.inject_fault(MULTICAST, status=None, delay=0.4, times=1000)
        post_id = desk.post()
        desk.schedule(post_id)
        # Jobs hand the delivery back to the queue every second: one will find Redis gone.
        worker = WorkerProcess(worker_env(settings, LINECOMM_PUSH_SLICE_SECONDS="1"), tmp_path / "worker.log")
        try:
            desk.wait_for(lambda: _accepted_batches(desk) >= 3, timeout=60, drain=False)
            private_redis.stop()  # every queued job and the rate limiter's log are gone
            time.sleep(2.5)
            delivery_id = desk.delivery_of(post_id)
            assert delivery_id is not None
            stranded = desk.progress(delivery_id)
            private_redis.start()  # empty: only the database knows the delivery is unfinished
            done = desk.finish(delivery_id, timeout=120, drain=False)
        finally:
            worker.stop()
        assert stranded.status == "sending" and stranded.pending > 0
        assert (done.status, done.sent, done.failed) == ("sent", 100, 0)
        _assert_everyone_got_it_once(desk, users)
    print("STATUSES", [r.status for r in desk.multicasts()])
