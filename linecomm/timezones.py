"""Times are stored in UTC and shown in Japan time."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def to_jst(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(JST)


def format_jst(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if value is None else value.astimezone(JST).strftime(fmt)


def from_line_timestamp(ms: int | float | None) -> datetime | None:
    """LINE's event timestamps are milliseconds since the epoch."""
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)
