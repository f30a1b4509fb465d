"""The cost and courtesy guards: the monthly quota (refuse, or send to as many as it allows), the weekly
cap per member, quiet hours, and test sends to staff before the real one."""
from __future__ import annotations

from datetime import datetime

import pytest

from linecomm.line.client import Quota
from linecomm.pushes import copy
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import PushError, QuotaRefused
from linecomm.themes import posts, scheduling
from linecomm.timezones import JST
from tests.pushes.desk import Desk


def test_a_send_over_the_monthly_quota_is_refused_with_a_clear_explanation(desk: Desk) -> None:
    desk.members(15)
    desk.fake.set_monthly_quota(10)
    post_id = desk.post()
    with pytest.raises(QuotaRefused) as refused:
        desk.schedule(post_id)
    assert str(refused.value).startswith("配信対象は15人ですが、今月の残り配信可能数は10通です。")
    assert "上限の範囲で配信する" in str(refused.value)
    desk.community.drain()
    assert desk.multicasts() == [] and desk.delivery_of(post_id) is None


def test_the_marketer_may_send_to_as_many_as_the_quota_allows(desk: Desk) -> None:
    members = desk.members(15)
    desk.fake.set_monthly_quota(10)
    post_id = desk.post()
    result = desk.schedule(post_id, scheduling.SendPlan("now", allow_partial=True))
    assert copy.partial_send(10, 15) in result.notes
    done = desk.finish(desk.wait_for(lambda: desk.delivery_of(post_id)))
    assert (done.status, done.matched, done.recipients, done.over_quota, done.sent) == ("sent", 15, 10, 5, 10)
    assert sum(len(desk.fake.messages_to(u)) for u in members) == 10
    assert desk.community.runtime.line.get_quota() == Quota(limit=10, used=10)


def test_the_quota_is_checked_again_when_the_send_starts(desk: Desk) -> None:
    desk.members(8)
    post_id = desk.post()
    with desk.community.session() as s:  # scheduled while the quota looked fine
        scheduling.schedule_post(s, post_id, scheduling.SendPlan("now"), Quota(limit=100, used=0))
    desk.fake.set_monthly_quota(5)  # but another campaign used it up meanwhile
    from linecomm.pushes import jobs

    jobs.wake_scheduler(desk.community.runtime, datetime.now(JST))
    done = desk.finish(desk.wait_for(lambda: desk.delivery_of(post_id)))
    assert (done.status, done.sent) == ("failed", 0)
    assert done.error == copy.over_quota(8, 5)
    assert desk.multicasts() == []


def test_members_over_the_weekly_cap_are_skipped_and_counted(desk: Desk) -> None:
    desk.no_quiet_hours(cap=1)
    regulars = desk.members(10)
    first = desk.send_now()
    assert desk.progress(first).sent == 10
    newcomers = desk.members(4)
    second = desk.send_now()
    done = desk.progress(second)
    assert (done.matched, done.over_cap, done.recipients, done.sent) == (14, 10, 4, 4)
    assert all(len(desk.fake.messages_to(u)) == 1 for u in regulars + newcomers)


def test_a_test_send_goes_to_staff_only_and_does_not_count_against_the_cap(desk: Desk) -> None:
    desk.no_quiet_hours(cap=1)
    members = desk.members(3)
    staff = ["U" + "a" * 32, "U" + "b" * 32]
    for user_id in staff:
        desk.fake.add_user(user_id, "スタッフ")
    post_id = desk.post()
    with desk.community.session() as s:
        with pytest.raises(PushError, match="テスト配信先のスタッフが登録されていません"):
            posts.test_send(s, post_id)
    with desk.community.session() as s:
        for user_id in staff:
            policies.add_test_recipient(s, user_id, "運営")
        assert any("テスト配信" in w for w in posts.preview(s, post_id, Quota(None, 0)).warnings)
        test_id = posts.test_send(s, post_id).id
    assert desk.finish(test_id).sent == 2
    assert all(len(desk.fake.messages_to(u)) == 1 for u in staff)
    assert all(desk.fake.messages_to(u) == [] for u in members)
    with desk.community.session() as s:
        assert not any("テスト配信" in w for w in posts.preview(s, post_id, Quota(None, 0)).warnings)
    assert desk.progress(desk.send_now(post_id)).sent == 3  # the staff send did not use up the cap


def test_a_send_now_inside_quiet_hours_waits_for_their_end(desk: Desk) -> None:
    desk.members(2)
    post_id = desk.post()
    late_evening = datetime(2026, 12, 3, 22, 30, tzinfo=JST)
    with desk.community.session() as s:
        policies.update(s, quiet_start="21:00", quiet_end="09:00")
        result = scheduling.schedule_post(s, post_id, scheduling.SendPlan("now"), Quota(None, 0), now=late_evening)
    assert result.starts_at == datetime(2026, 12, 4, 9, 0, tzinfo=JST)
    moved = "2026-12-03 22:30 は配信しない時間帯（21:00〜09:00）のため、2026-12-04 09:00 に配信を始めます。"
    assert moved in result.notes


def test_bad_input_gets_a_clear_japanese_error(desk: Desk) -> None:
    from linecomm.pushes.segments import Segment
    from linecomm.themes.content import Choice

    cases = [
        (dict(text=""), "本文を入力してください"),
        (dict(text="あ" * 5001), "本文が長すぎます"),
        (dict(image_url="http://example.com/a.jpg"), "https://"),
        (dict(choice_kind="poll", choices=tuple(Choice(str(i), f"案{i}") for i in range(14))), "1〜13個"),
        (dict(choice_kind="poll", choices=(Choice("a", "とても長い選択肢の名前がここに入ってしまいます"),)),
         "1〜20文字"),
        (dict(segment=Segment(tags=("存在しないタグ",))), "存在しないタグ"),
    ]
    for changes, message in cases:
        with pytest.raises(PushError, match=message):
            desk.post(**changes)
    post_id = desk.post()
    with pytest.raises(PushError, match="過去の日時"):
        desk.schedule(post_id, scheduling.SendPlan("once", at=datetime(2020, 1, 1, tzinfo=JST)))
    with pytest.raises(PushError, match="1〜31日"):
        desk.schedule(post_id, scheduling.SendPlan("monthly", day_of_month=32, time_of_day="10:00"))
