"""LINE answering 429, 500, or nothing in time: batches come back with the same retry key and every
member still gets the post exactly once (a request LINE took but whose answer was lost gets 409)."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from linecomm.config import Settings
from linecomm.pushes.models import DeliveryBatch
from tests.pushes.desk import MULTICAST, Desk
from tests.support.line_openapi import assert_conforms_to_openapi


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(line_timeout_seconds=1.0)


def test_429_500_and_timeouts_are_retried_with_the_same_key_and_deliver_once(desk: Desk) -> None:
    members = desk.members(15)
    desk.fake.inject_fault(MULTICAST, status=429, times=2)
    desk.fake.inject_fault(MULTICAST, status=500, times=2)
    # LINE takes this one but answers after our timeout: the retry must get 409, not a second delivery.
    desk.fake.inject_fault(MULTICAST, status=None, delay=1.3, times=1)
    delivery_id = desk.send_now()

    done = desk.progress(delivery_id)
    assert (done.status, done.sent, done.failed) == ("sent", 15, 0)
    assert done.retries >= 5 and done.accepted_before >= 1
    for user in members:
        assert len(desk.fake.messages_to(user)) == 1, user
    by_key: dict[str, Counter[int]] = defaultdict(Counter)
    for request in desk.multicasts():
        by_key[request.headers["x-line-retry-key"]][request.status] += 1
    with desk.community.reader() as s:
        stored = set(s.scalars(select(DeliveryBatch.retry_key).where(DeliveryBatch.delivery_id == delivery_id)))
    assert set(by_key) == stored  # no attempt ever made up a new key
    assert all(statuses[200] == 1 for statuses in by_key.values())  # LINE delivered each batch once
    assert sum(statuses[409] for statuses in by_key.values()) >= 1
    assert sum(statuses[429] + statuses[500] for statuses in by_key.values()) == 4
    assert_conforms_to_openapi(desk.fake.requests)


def test_the_monthly_limit_reached_mid_send_fails_the_rest_with_an_explanation(desk: Desk) -> None:
    desk.members(50)  # ten batches
    desk.fake.set_monthly_quota(1_000)
    post_id = desk.post()
    desk.schedule(post_id)  # within quota when scheduled and when frozen...
    desk.fake.inject_fault(MULTICAST, status=429, times=20, body={"message": "You have reached your monthly limit."})
    delivery_id = desk.wait_for(lambda: desk.delivery_of(post_id))
    done = desk.finish(delivery_id)  # ...but another sender used it up meanwhile
    assert (done.status, done.sent, done.failed) == ("failed", 0, 50)
    assert "配信上限に達した" in (done.error or "")
    # Only the requests already in flight went: no point sending the rest into the same wall.
    assert len(desk.multicasts()) <= 2 * desk.community.settings.push_threads < 10
