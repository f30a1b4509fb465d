"""Replies are free and used while fresh; otherwise a push with one retry key, sent exactly once."""

from __future__ import annotations

import time

from sqlalchemy import select

from linecomm.line.simulator import text_event
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from tests.support.community import Community


def _pushes(community: Community, user_id: str) -> list:
    return [
        r
        for r in community.fake.requests
        if r.path == "/v2/bot/message/push" and r.json and r.json.get("to") == user_id
    ]


def test_a_stale_reply_token_falls_back_to_a_push_with_a_stored_retry_key(community: Community) -> None:
    user = community.user()
    event = text_event(user.user_id, "ヘルプ", community.fake.issue_reply_token(user.user_id))
    event["timestamp"] = int((time.time() - 120) * 1000)  # handled two minutes after it happened
    assert community.post_events([event]).status == 200
    community.drain()
    pushes = _pushes(community, user.user_id)
    assert len(pushes) == 1
    with community.session() as s:
        row = s.scalars(select(OutboundMessage)).one()
    assert pushes[0].headers["x-line-retry-key"] == row.retry_key
    assert (row.status, row.sent_via) == (OutboundStatus.SENT, "push")
    assert "参加する" in user.last_text()


def test_a_server_error_is_retried_with_the_same_key_and_delivered_once(community: Community) -> None:
    user = community.user()
    event = text_event(user.user_id, "ヘルプ", "never-issued-token")
    event["timestamp"] = int((time.time() - 120) * 1000)
    community.fake.inject_fault("/v2/bot/message/push", status=500, times=2)
    assert community.post_events([event]).status == 200
    community.drain()
    deadline = time.time() + 20
    while time.time() < deadline and len(user.received()) == 0:
        community.drain()
        time.sleep(0.3)
    pushes = _pushes(community, user.user_id)
    assert [p.status for p in pushes] == [500, 500, 200]
    assert len({p.headers["x-line-retry-key"] for p in pushes}) == 1
    assert len(user.received()) == 1


def test_an_expired_reply_token_is_replaced_by_a_push(community: Community) -> None:
    user = community.user()
    event = text_event(user.user_id, "ヘルプ", "a-token-line-never-issued")
    assert community.post_events([event]).status == 200
    community.drain()
    statuses = [(r.path, r.status) for r in community.fake.requests if r.path.startswith("/v2/bot/message/")]
    assert statuses == [("/v2/bot/message/reply", 400), ("/v2/bot/message/push", 200)]
    assert len(user.received()) == 1


def test_nothing_is_sent_to_someone_who_unfollowed_before_delivery(community: Community) -> None:
    from linecomm.outbox import queueing as outbox
    from linecomm.outbox.jobs import deliver_messages
    from linecomm.runtime import set_process_default

    user = community.user()
    user.follow()
    community.drain()
    user.unfollow()
    community.drain()
    with community.session() as s:
        row_id = outbox.queue_message(
            s, key="test:after-unfollow", to=user.user_id, messages=[{"type": "text", "text": "x"}]
        )
    before = len(user.received())
    set_process_default(community.runtime)
    try:
        deliver_messages([row_id])
    finally:
        set_process_default(None)
    with community.session() as s:
        assert s.get(OutboundMessage, row_id).status == OutboundStatus.SKIPPED
    assert len(user.received()) == before
