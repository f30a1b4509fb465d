"""A post goes to its segment exactly once, in multicast batches with stored retry keys, at LINE's pace."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from linecomm.members.models import Member, MemberStatus
from linecomm.pushes.errors import PushError
from linecomm.pushes.models import BatchStatus, DeliveryBatch
from linecomm.pushes.segments import Segment
from linecomm.themes import posts
from linecomm.themes.content import Choice
from linecomm.themes.models import PostStatus, ThemePost
from tests.pushes.desk import Desk
from tests.support.line_openapi import assert_conforms_to_openapi


def test_a_post_reaches_every_member_once_in_batches_with_stored_retry_keys(desk: Desk) -> None:
    members = desk.members(23)
    desk.members(3, cohort="2期生", status=MemberStatus.FOLLOWER)  # follows the account, not in the community
    post_id = desk.post(
        text="今週のテーマ🌿 最近のお気に入りは？", image_url="https://cdn.example.com/theme.jpg",
        choice_kind="reactions", choices=(Choice("like", "👍 いいね"), Choice("wow", "😮 すごい")),
    )
    delivery_id = desk.send_now(post_id)

    done = desk.progress(delivery_id)
    assert (done.status, done.recipients, done.sent, done.failed, done.pending) == ("sent", 23, 23, 0, 0)
    assert (done.batches, done.batches_sent) == (5, 5)
    for user in members:
        received = desk.fake.messages_to(user)
        assert [m["type"] for m in received] == ["image", "text"]
        actions = [item["action"] for item in received[1]["quickReply"]["items"]]
        assert [a["data"] for a in actions] == [f"action=react&post={post_id}&r=like",
                                               f"action=react&post={post_id}&r=wow"]
    accepted = desk.accepted_recipients()
    assert set(accepted) == set(members) and set(accepted.values()) == {1}
    assert all(len(r.json["to"]) <= 5 for r in desk.multicasts())
    with desk.community.reader() as s:
        keys = set(s.scalars(select(DeliveryBatch.retry_key).where(DeliveryBatch.delivery_id == delivery_id)))
        assert s.get(ThemePost, post_id).status == PostStatus.SENT
    assert {r.headers["x-line-retry-key"] for r in desk.multicasts()} == keys
    assert_conforms_to_openapi(desk.fake.requests)


def test_members_who_leave_or_block_after_the_list_is_frozen_are_skipped(desk: Desk) -> None:
    members = desk.members(20)  # four batches of five; the senders' first three requests are slow
    blocked, left = members[-1], members[-2]
    desk.fake.inject_fault("/v2/bot/message/multicast", status=None, delay=1.0, times=3)
    post_id = desk.post()
    with desk.worker_in_background():
        desk.schedule(post_id)
        delivery_id = desk.wait_for(lambda: desk.delivery_of(post_id))
        desk.wait_for(lambda: desk.progress(delivery_id).recipients == 20)
        with desk.community.session() as s:  # as the webhook handlers record them
            s.execute(update(Member).where(Member.line_user_id == blocked).values(is_following=False))
            s.execute(update(Member).where(Member.line_user_id == left).values(status=MemberStatus.LEFT))
        done = desk.finish(delivery_id)
    assert (done.recipients, done.sent, done.skipped) == (20, 18, 2)
    assert desk.fake.messages_to(blocked) == [] and desk.fake.messages_to(left) == []
    assert all(len(desk.fake.messages_to(u)) == 1 for u in members[:-2])


def test_the_segment_targets_cohort_and_join_dates(desk: Desk) -> None:
    from datetime import date, datetime

    from linecomm.timezones import JST

    early = desk.members(4, cohort="0期生", joined_at=datetime(2026, 4, 1, 8, 0, tzinfo=JST))
    late = desk.members(3, cohort="0期生", joined_at=datetime(2026, 4, 2, 0, 0, tzinfo=JST))
    others = desk.members(5, cohort="1期生")
    segment = Segment(cohorts=("0期生",), joined_to=date(2026, 4, 1))
    delivery_id = desk.send_now(desk.post(segment=segment))
    assert desk.progress(delivery_id).sent == 4
    assert all(len(desk.fake.messages_to(u)) == 1 for u in early)
    assert all(desk.fake.messages_to(u) == [] for u in late + others)


def test_line_refusing_a_batch_fails_it_with_lines_message_and_the_rest_go(desk: Desk) -> None:
    members = desk.members(10)
    desk.fake.inject_fault("/v2/bot/message/multicast", status=400, times=1,
                           body={"message": "The request body has 1 error(s)"})
    delivery_id = desk.send_now()
    done = desk.progress(delivery_id)
    assert (done.status, done.sent, done.failed, done.batches_failed) == ("sent", 5, 5, 1)
    with desk.community.reader() as s:
        error = s.scalar(select(DeliveryBatch.last_error).where(DeliveryBatch.status == BatchStatus.FAILED))
    assert "LINEが配信を受け付けませんでした" in error and "The request body has 1 error(s)" in error
    assert sum(len(desk.fake.messages_to(u)) for u in members) == 5


def test_a_post_cannot_be_edited_once_it_has_gone(desk: Desk) -> None:
    desk.members(2)
    post_id = desk.post()
    desk.send_now(post_id)
    import pytest

    with pytest.raises(PushError, match="配信済み"):
        with desk.community.session() as s:
            posts.update_post(s, post_id, posts.PostDraft(title="x", text="y"))


def test_a_send_logs_no_error_on_either_database(desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    """The SQLite default once failed every send's first try on PostgreSQL's advisory lock (then succeeded on
    the retry), logging a traceback each time: each database takes its own path, not a failing one."""
    members = desk.members(7)
    with caplog.at_level(logging.WARNING):
        delivery_id = desk.send_now(desk.post())
    assert (desk.progress(delivery_id).status, set(desk.accepted_recipients())) == ("sent", set(members))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
