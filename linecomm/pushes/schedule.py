"""When pushes go out: Japan-time input, weekly and monthly recurrence, quiet hours. Pure functions over
aware datetimes (UTC in, UTC out); Japan has no daylight saving time, so a wall-clock time always exists
and is never ambiguous."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from linecomm.pushes.errors import PushError
from linecomm.timezones import JST

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("月", "火", "水", "木", "金", "土", "日")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(PushError):
    """A time or recurrence that cannot be used; the message is Japanese, for the marketer."""


def parse_time_of_day(text: str) -> time:
    """"HH:MM" (24-hour) as a time of day."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ScheduleError(f"時刻は「09:30」のように24時間表記で入力してください（入力: {text}）。")
    return time(int(match.group(1)), int(match.group(2)))


def parse_jst(text: str) -> datetime:
    """"YYYY-MM-DD HH:MM" in Japan time, returned as an aware UTC datetime."""
    try:
        naive = datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ScheduleError(
            f"日時は「2026-12-01 10:00」の形式（日本時間）で入力してください（入力: {text}）。"
        ) from None
    return naive.replace(tzinfo=JST).astimezone(UTC)


def parse_jst_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"日付は「2026-12-01」の形式で入力してください（入力: {text}）。") from None


def parse_weekday(text: str) -> int:
    """"mon".."sun" (or "monday"), or 月..日 (also 月曜, 月曜日) as 0..6."""
    word = text.strip()
    if word.lower()[:3] in WEEKDAYS and len(word) >= 3:
        return WEEKDAYS.index(word.lower()[:3])
    if word[:1] in WEEKDAY_LABELS and word[1:] in ("", "曜", "曜日"):
        return WEEKDAY_LABELS.index(word[0])
    raise ScheduleError(f"曜日は mon〜sun（または 月〜日）で指定してください（入力: {text}）。")


def at_jst(day: date, at: time) -> datetime:
    """That wall-clock time in Japan on that day, in UTC."""
    return datetime.combine(day, at, tzinfo=JST).astimezone(UTC)


def jst_day_start(day: date) -> datetime:
    return at_jst(day, time(0, 0))


def next_weekly(after: datetime, weekday: int, at: time) -> datetime:
    """The first `weekday` at `at` (Japan time) strictly after `after`."""
    local = after.astimezone(JST)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    candidate = at_jst(day, at)
    return candidate if candidate > after else at_jst(day + timedelta(days=7), at)


def monthly_day(year: int, month: int, day_of_month: int) -> date:
    """Day `day_of_month` of that month, or its last day when the month is shorter (31 → 30, 28, 29)."""
    return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def next_monthly(after: datetime, day_of_month: int, at: time) -> datetime:
    """The first occurrence of day `day_of_month` (clamped to the month's last day) at `at`, strictly
    after `after`. Each month is computed from the requested day, so Jan 31 → Feb 28 → Mar 31."""
    local = after.astimezone(JST)
    year, month = local.year, local.month
    for _ in range(3):
        candidate = at_jst(monthly_day(year, month, day_of_month), at)
        if candidate > after:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: a later month always has the day")


@dataclass(frozen=True)
class QuietHours:
    """Japan-time hours when no push goes out; `start == end` means none. Wraps midnight when start > end."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(parse_time_of_day(start), parse_time_of_day(end))

    def contains(self, when: datetime) -> bool:
        t = when.astimezone(JST).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def release(self, when: datetime) -> datetime:
        """`when` itself if outside quiet hours, else the moment they end."""
        if not self.contains(when):
            return when
        local = when.astimezone(JST)
        end_today = at_jst(local.date(), self.end)
        return end_today if end_today > when else at_jst(local.date() + timedelta(days=1), self.end)

    def label(self) -> str:
        return f"{self.start:%H:%M}〜{self.end:%H:%M}"
