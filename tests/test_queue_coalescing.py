"""`enqueue_coalesced`: many asks, one waiting job; and when the job could not be enqueued, the ask is
forgotten, so the next commit asks anew instead of trusting a job that does not exist."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from linecomm.queue import EmbeddedJobQueue, JobQueue, QueueUnavailable, RedisJobQueue


@pytest.fixture(params=["embedded", "redis"])
def queue(request: pytest.FixtureRequest) -> Iterator[JobQueue]:
    if request.param == "embedded":
        embedded = EmbeddedJobQueue(run=lambda func, args: None, workers=1)
        yield embedded
        embedded.close()
        return
    url = request.getfixturevalue("redis_url")
    name = f"linecomm-test-{uuid.uuid4().hex[:12]}"
    redis_queue = RedisJobQueue(url, name)
    yield redis_queue
    client = Redis.from_url(url)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    redis_queue.close()
    client.close()


def test_asks_while_a_job_waits_enqueue_nothing_more(queue: JobQueue, monkeypatch: pytest.MonkeyPatch) -> None:
    enqueued: list[str] = []
    monkeypatch.setattr(queue, "enqueue", lambda func, *args, **kw: enqueued.append(func))
    assert [queue.enqueue_coalesced("drain", "jobs.drain") for _ in range(3)] == [True, False, False]
    queue.release_coalesced("drain")  # the job started
    assert queue.enqueue_coalesced("drain", "jobs.drain") is True
    assert enqueued == ["jobs.drain", "jobs.drain"]


def test_a_job_that_could_not_be_enqueued_is_asked_for_again(queue: JobQueue, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(func: str, *args: Any, **kw: Any) -> None:
        raise QueueUnavailable("the queue is down")

    monkeypatch.setattr(queue, "enqueue", unavailable)
    with pytest.raises(QueueUnavailable):
        queue.enqueue_coalesced("drain", "jobs.drain")
    enqueued: list[str] = []
    monkeypatch.setattr(queue, "enqueue", lambda func, *args, **kw: enqueued.append(func))
    assert queue.enqueue_coalesced("drain", "jobs.drain") is True
    assert enqueued == ["jobs.drain"]
