"""Every webhook event is handled once: LINE's redeliveries and duplicates change nothing."""

from __future__ import annotations

import copy
import threading

from sqlalchemy import func, select

from linecomm.line.simulator import follow_event
from linecomm.members.models import Member
from linecomm.outbox.models import OutboundMessage
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.support.community import Community
from tests.support.line_openapi import assert_conforms_to_openapi
from tests.webhooks.line_samples import lines_sample_events


def test_lines_sample_body_with_all_28_events_is_handled_without_error(community: Community) -> None:
    events = lines_sample_events()
    assert len(events) == 28
    for i, event in enumerate(events):  # the sample shares one id; real traffic does not
        event["webhookEventId"] = f"01SAMPLE{i:018d}"
        community.fake.add_user(event["source"].get("userId", "U0"), f"sample {i}")
    assert community.post_events(events).status == 200
    community.drain()
    with community.session() as s:
        rows = s.execute(select(WebhookEvent.event_type, WebhookEvent.status, WebhookEvent.last_error)).all()
    assert len(rows) == 28
    assert [r for r in rows if r.status not in (InboxStatus.DONE, InboxStatus.IGNORED)] == []
    by_type = {r.event_type: r.status for r in rows}
    assert by_type["undefined"] == InboxStatus.IGNORED
    assert by_type["follow"] == InboxStatus.DONE
    assert_conforms_to_openapi(community.fake.requests)


def test_the_same_event_delivered_three_times_has_one_effect(community: Community) -> None:
    user = community.user("三回 届く")
    event = follow_event(user.user_id, community.fake.issue_reply_token(user.user_id))
    for attempt in range(3):
        redelivered = copy.deepcopy(event)
        redelivered["deliveryContext"]["isRedelivery"] = attempt > 0
        assert community.post_events([redelivered]).status == 200
        community.drain()
    with community.session() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)) == 1
        assert s.scalar(select(func.count()).select_from(Member)) == 1
        assert s.scalar(select(func.count()).select_from(OutboundMessage)) == 1
    greetings = [t for t in user.texts() if "友だち追加ありがとうございます" in t]
    assert len(greetings) == 1


def test_concurrent_duplicates_are_stored_once(community: Community) -> None:
    user = community.user()
    event = follow_event(user.user_id, community.fake.issue_reply_token(user.user_id))
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(community.post_events([event]).status)) for _ in range(5)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    community.drain()
    assert statuses == [200] * 5
    with community.session() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    assert len([t for t in user.texts() if "友だち追加" in t]) == 1
