"""The worker drains the inbox in batches: one coalesced job for many bodies, a batch in one transaction,
and an event that fails neither blocks its batch nor is retried in a hot loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from linecomm.config import Settings
from linecomm.db import utcnow
from linecomm.line.simulator import follow_event, postback_event, text_event
from linecomm.members import invites
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.webhooks import dispatch, drain
from linecomm.webhooks.batch import retry_delay
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.support.community import ChatUser, Community

REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"


def _wait_until(probe: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _invite_code(community: Community) -> str:
    with community.session() as s:
        return invites.create_code(s, "0期生", 5, date.today() + timedelta(days=30)).code


def _inbox(community: Community) -> list[WebhookEvent]:
    with community.reader() as s:
        return list(s.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def _follow_bodies(community: Community, bodies: int, per_body: int) -> list[ChatUser]:
    users = []
    for b in range(bodies):
        batch = [community.user(f"まとめて {b}-{i}") for i in range(per_body)]
        events = [follow_event(u.user_id, community.fake.issue_reply_token(u.user_id)) for u in batch]
        assert community.post_events(events).status == 200
        users.extend(batch)
    return users


@pytest.mark.parametrize("backend", ["postgres"])
def test_bodies_that_arrive_before_a_worker_starts_share_one_drain_job(community: Community) -> None:
    users = _follow_bodies(community, bodies=6, per_body=3)
    assert community.runtime.queue.queue.count == 1  # one job for 18 events in 6 bodies
    community.drain()
    assert {row.status for row in _inbox(community)} == {InboxStatus.DONE}
    for user in users:
        assert sum("友だち追加ありがとうございます" in t for t in user.texts()) == 1


def test_a_backlog_larger_than_a_batch_is_drained_completely(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drain, "BATCH", 4)
    users = _follow_bodies(community, bodies=5, per_body=3)  # 15 events: four batches
    community.drain()
    assert [row.status for row in _inbox(community)] == [InboxStatus.DONE] * 15
    with community.reader() as s:
        sent = s.execute(select(OutboundMessage.to, OutboundMessage.sent_via)).all()
    assert sorted(sent) == sorted((u.user_id, "reply") for u in users)


def test_one_users_events_in_one_batch_are_handled_in_order(community: Community) -> None:
    user = community.user("順番 守る")
    token = community.fake.issue_reply_token
    events = [
        follow_event(user.user_id, token(user.user_id)),
        text_event(user.user_id, "参加", token(user.user_id)),
        text_event(user.user_id, _invite_code(community), token(user.user_id)),
    ]
    assert community.post_events(events).status == 200
    community.drain()
    texts = user.texts()

    def first(words: str) -> int:
        return next(i for i, t in enumerate(texts) if words in t)

    assert first("友だち追加ありがとうございます") < first("招待コードを入力してください")
    assert first("招待コードを入力してください") < first("招待コードを確認しました")


def test_an_event_that_fails_does_not_hold_back_its_batch_and_is_retried_later(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ctx: object) -> None:
        raise RuntimeError("the postback handler is broken")

    monkeypatch.setitem(dispatch.HANDLERS, "postback", broken)
    good, bad = community.user("元気"), community.user("不運")
    token = community.fake.issue_reply_token
    events = [
        follow_event(good.user_id, token(good.user_id)),
        postback_event(bad.user_id, "action=join", token(bad.user_id)),
        follow_event(bad.user_id, token(bad.user_id)),
    ]
    before = utcnow()
    assert community.post_events(events).status == 200
    community.drain()
    rows = {(r.event_type, r.user_id): r for r in _inbox(community)}
    failed = rows[("postback", bad.user_id)]
    assert failed.status == InboxStatus.PENDING
    assert (failed.attempts, failed.last_error) == (1, "RuntimeError: the postback handler is broken")
    assert failed.next_attempt_at is not None
    assert failed.next_attempt_at >= before + timedelta(seconds=retry_delay(1))
    assert rows[("follow", good.user_id)].status == InboxStatus.DONE
    assert rows[("follow", bad.user_id)].status == InboxStatus.DONE  # handled one by one, after the failure
    assert any("友だち追加ありがとうございます" in t for t in good.texts())

    monkeypatch.undo()  # the handler is fixed; the retry is due
    with community.session() as s:
        s.execute(update(WebhookEvent).where(WebhookEvent.id == failed.id).values(next_attempt_at=utcnow()))
    drain.request_now(community.runtime.queue)
    community.drain()
    assert {r.status for r in _inbox(community)} == {InboxStatus.DONE}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(line_timeout_seconds=1.0)


def test_a_reply_whose_answer_was_lost_is_pushed_so_it_surely_arrives(community: Community) -> None:
    user = community.user("返事 迷子")
    # LINE takes the reply but answers too late: the worker times out without knowing it was delivered.
    community.fake.inject_fault("/v2/bot/message/reply", status=None, delay=1.5, times=1, late=True)
    assert user.follow().status == 200
    community.drain()
    with community.reader() as s:
        row = s.scalars(select(OutboundMessage)).one()
    assert (row.status, row.reply_attempted, row.attempts) == (OutboundStatus.PENDING, True, 1)

    def sent() -> bool:  # the retry comes by itself, a second later
        community.drain()
        with community.reader() as s:
            return s.get(OutboundMessage, row.id).status == OutboundStatus.SENT

    _wait_until(sent)
    with community.reader() as s:
        row = s.get(OutboundMessage, row.id)
    assert (row.status, row.sent_via) == (OutboundStatus.SENT, "push")
    # LINE refuses the spent token, and does not say whether it was used or expired: the message is
    # pushed under its stored retry key. A reply has no retry key, so this member gets it twice, the
    # price of never leaving a member without an answer (README, "Nothing twice").
    sends = [(r.path, r.status) for r in community.fake.requests if r.path.startswith("/v2/bot/message/")]
    assert sends == [(REPLY, 200), (REPLY, 400), (PUSH, 200)]
    assert sum("友だち追加ありがとうございます" in t for t in user.texts()) == 2


def _deliver_now(community: Community, message_id: int) -> None:
    from linecomm.outbox.jobs import deliver_messages
    from linecomm.runtime import set_process_default

    set_process_default(community.runtime)
    try:
        deliver_messages([message_id])
    finally:
        set_process_default(None)


def test_a_message_being_sent_is_not_taken_by_a_second_sender(community: Community) -> None:
    from linecomm.queue import EmbeddedJobQueue
    from linecomm.runtime import set_process_default
    from linecomm.webhooks.jobs import drain_inbox

    user = community.user("送信中")
    community.fake.inject_fault(REPLY, status=None, delay=0.5, times=1)  # slow to answer, within the timeout
    assert user.follow().status == 200
    set_process_default(community.runtime)
    worker = None
    if not isinstance(community.runtime.queue, EmbeddedJobQueue):  # the embedded queue drains by itself
        worker = threading.Thread(target=drain_inbox)
        worker.start()
    try:
        def in_flight() -> bool:
            with community.reader() as s:
                row = s.scalars(select(OutboundMessage)).one_or_none()
                return row is not None and row.claim_token is not None and row.status == OutboundStatus.PENDING

        _wait_until(in_flight)
        with community.reader() as s:
            message_id = s.scalars(select(OutboundMessage.id)).one()
        _deliver_now(community, message_id)  # the sweeper, or a retry, while the first send waits for LINE
    finally:
        if worker is not None:
            worker.join(timeout=10)
        set_process_default(None)
    community.drain()
    with community.reader() as s:
        row = s.get(OutboundMessage, message_id)
    assert (row.status, row.sent_via, row.attempts) == (OutboundStatus.SENT, "reply", 1)
    assert [(r.path, r.status) for r in community.fake.requests if r.path.startswith("/v2/bot/message/")] == [
        (REPLY, 200)
    ]


@pytest.mark.parametrize("backend", ["postgres"])  # no worker runs until the test says so
def test_answers_left_by_a_worker_that_died_after_its_commit_are_sent_once(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linecomm.outbox import sending
    from linecomm.runtime import set_process_default
    from linecomm.sweeper import sweep
    from linecomm.webhooks import batch

    monkeypatch.setattr(sending, "CHUNK", 2)
    users = [community.user(f"残り {i}") for i in range(5)]
    token = community.fake.issue_reply_token
    assert community.post_events([text_event(u.user_id, "ヘルプ", token(u.user_id)) for u in users]).status == 200
    # A worker handles the batch and commits, then dies before its first request to LINE.
    rt = community.runtime
    set_process_default(rt)
    try:
        with community.session() as s:
            rows = drain.claim(s, utcnow(), 10)
            handled = batch.handle_batch(s, rt.line, rt.settings, rows, utcnow())
    finally:
        set_process_default(None)
    assert len(handled.to_send) == 5
    community.drain()  # the webhook's own drain request finds nothing left to handle
    with community.session() as s:
        assert {m.status for m in s.scalars(select(OutboundMessage))} == {OutboundStatus.PENDING}
        # Later: the dead worker's lease has run out, and our reply window with it.
        s.execute(update(OutboundMessage).values(lease_until=utcnow() - timedelta(seconds=1),
                                                 reply_deadline=utcnow() - timedelta(seconds=1)))
    sweep(community.runtime, grace_seconds=0)
    community.drain()
    # The reply window has passed: every message, those whose reply the dead worker had marked as about to
    # be tried included, goes out once by push under its stored retry key. Nothing was counted as sent
    # before LINE took it.
    assert [len(user.received()) for user in users] == [1, 1, 1, 1, 1]
    with community.reader() as s:
        outcome = [(m.status, m.sent_via, m.reply_attempted)
                   for m in s.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]
    assert outcome == [(OutboundStatus.SENT, "push", True)] * 2 + [(OutboundStatus.SENT, "push", False)] * 3
