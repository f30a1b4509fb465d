"""When pushes go out: Japan-time input stored as UTC, weekly and monthly recurrence across month ends,
quiet hours, and recurring posts moving to their next occurrence."""
from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from linecomm.line.client import Quota
from linecomm.pushes import occurrences
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import PushError
from linecomm.pushes.models import Delivery
from linecomm.pushes.schedule import (
    QuietHours,
    ScheduleError,
    next_monthly,
    next_weekly,
    parse_jst,
    parse_weekday,
)
from linecomm.themes import posts, scheduling
from linecomm.themes.models import PostStatus, ThemePost
from linecomm.timezones import JST
from tests.pushes.desk import Desk


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


def test_japan_time_input_is_stored_as_utc() -> None:
    assert parse_jst("2026-12-01 09:00") == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert parse_jst("2027-01-01 00:30") == datetime(2026, 12, 31, 15, 30, tzinfo=UTC)
    with pytest.raises(ScheduleError, match="2026-12-01 10:00"):
        parse_jst("12/1 10:00")
    assert [parse_weekday(w) for w in ("mon", "Friday", "日", "水曜日")] == [0, 4, 6, 2]


def test_monthly_on_the_31st_falls_on_each_months_last_day() -> None:
    at, seen = time(10, 0), []
    when = jst(2027, 1, 1)
    for _ in range(5):
        when = next_monthly(when, 31, at)
        seen.append(when.astimezone(JST).date().isoformat())
    assert seen == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    assert next_monthly(jst(2028, 2, 1), 30, at) == jst(2028, 2, 29, 10, 0)  # leap year
    assert next_monthly(jst(2026, 12, 31, 10, 0), 31, at) == jst(2027, 1, 31, 10, 0)  # strictly after
    assert next_monthly(jst(2026, 12, 31, 9, 59), 31, at) == jst(2026, 12, 31, 10, 0)


def test_weekly_finds_the_next_weekday_at_the_time() -> None:
    wednesday = jst(2026, 12, 2, 12, 0)
    assert next_weekly(wednesday, 2, time(12, 30)) == jst(2026, 12, 2, 12, 30)
    assert next_weekly(wednesday, 2, time(12, 0)) == jst(2026, 12, 9, 12, 0)
    assert next_weekly(wednesday, 0, time(8, 0)) == jst(2026, 12, 7, 8, 0)
    sunday_night = jst(2026, 12, 6, 23, 59)  # the year-end in UTC is still a JST Sunday
    assert next_weekly(sunday_night, 6, time(23, 59)) == jst(2026, 12, 13, 23, 59)


def test_quiet_hours_wrap_midnight_and_release_at_their_end() -> None:
    quiet = QuietHours.parse("21:00", "09:00")
    assert not quiet.contains(jst(2026, 12, 1, 20, 59))
    assert quiet.contains(jst(2026, 12, 1, 21, 0))
    assert quiet.contains(jst(2026, 12, 2, 8, 59))
    assert not quiet.contains(jst(2026, 12, 2, 9, 0))
    assert quiet.release(jst(2026, 12, 1, 23, 0)) == jst(2026, 12, 2, 9, 0)
    assert quiet.release(jst(2026, 12, 2, 3, 0)) == jst(2026, 12, 2, 9, 0)
    assert quiet.release(jst(2026, 12, 2, 10, 0)) == jst(2026, 12, 2, 10, 0)
    lunch = QuietHours.parse("12:00", "13:00")
    assert lunch.release(jst(2026, 12, 2, 12, 15)) == jst(2026, 12, 2, 13, 0)
    assert not QuietHours.parse("00:00", "00:00").contains(jst(2026, 12, 2, 3, 0))
    with pytest.raises(ScheduleError, match="24時間表記"):
        QuietHours.parse("25:00", "09:00")


def test_a_monthly_post_opens_one_delivery_per_occurrence_across_month_ends(desk: Desk) -> None:
    desk.members(2)
    post_id = desk.post()
    with desk.community.session() as s:
        policies.update(s, quiet_start="21:00", quiet_end="09:00")
        plan = scheduling.SendPlan("monthly", day_of_month=31, time_of_day="22:00")
        result = scheduling.schedule_post(s, post_id, plan, Quota(None, 0), now=jst(2027, 1, 15, 12, 0))
    assert result.requested_at == jst(2027, 1, 31, 22, 0)
    assert result.starts_at == jst(2027, 2, 1, 9, 0)  # 22:00 is inside quiet hours
    opened = []
    for now in (jst(2027, 2, 1, 8, 59), jst(2027, 2, 1, 9, 0), jst(2027, 2, 1, 9, 1), jst(2027, 3, 1, 9, 0),
                jst(2027, 3, 31, 23, 0), jst(2027, 4, 1, 9, 0)):
        with desk.community.session() as s:
            opened.append(len(occurrences.open_due(s, now, batch_size=5).delivery_ids))
    assert opened == [0, 1, 0, 1, 0, 1]  # Jan 31 → Feb 1 09:00; Feb 28 → Mar 1 09:00; Mar 31 → Apr 1 09:00
    with desk.community.session() as s:
        post = s.get(ThemePost, post_id)
        assert post.status == PostStatus.SCHEDULED
        assert post.next_occurrence_at == jst(2027, 4, 30, 22, 0)
        scheduled = sorted(s.scalars(select(Delivery.scheduled_for).where(Delivery.post_id == post_id)))
    assert scheduled == [jst(2027, 1, 31, 22, 0), jst(2027, 2, 28, 22, 0), jst(2027, 3, 31, 22, 0)]


def test_a_scheduled_post_can_be_edited_or_cancelled_until_it_starts(desk: Desk) -> None:
    desk.members(2)
    post_id = desk.post()
    with desk.community.session() as s:
        scheduling.schedule_post(s, post_id, scheduling.SendPlan("once", at=jst(2030, 1, 1, 12, 0)), Quota(None, 0))
        posts.update_post(s, post_id, posts.PostDraft(title="差し替え", text="内容を変更しました"))
        assert s.get(ThemePost, post_id).next_send_at == jst(2030, 1, 1, 12, 0)
        posts.cancel_post(s, post_id)
    with desk.community.session() as s:
        assert s.get(ThemePost, post_id).status == PostStatus.CANCELLED
        assert occurrences.open_due(s, jst(2030, 1, 2), batch_size=5).delivery_ids == []
    with pytest.raises(PushError, match="取り消し"):
        with desk.community.session() as s:
            posts.update_post(s, post_id, posts.PostDraft(title="x", text="y"))
