"""Reading query strings and form fields in the console: small, strict parsers."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import request
from werkzeug.exceptions import NotFound

from linecomm.db import ID_MAX
from linecomm.members.directory import MemberFilter
from linecomm.members.models import MemberStatus
from linecomm.timezones import JST

MEMBER_STATUSES = (MemberStatus.MEMBER, MemberStatus.JOINING, MemberStatus.FOLLOWER, MemberStatus.LEFT,
                   MemberStatus.SUSPENDED, MemberStatus.DELETED)


def int_arg(value: str | None, minimum: int = 1, maximum: int = ID_MAX) -> int | None:
    """A whole number from `minimum` to `maximum` (by default any id), or None for anything else."""
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 19:
        return None
    try:
        number = int(text)  # isdigit() also admits digits int() refuses, such as "²"
    except ValueError:
        return None
    return number if minimum <= number <= maximum else None


def member_filter(source: dict[str, str] | None = None) -> MemberFilter:
    """The member filter from the query string (or a form's hidden fields)."""
    values = source if source is not None else request.args
    status = values.get("status", "")
    return MemberFilter(
        q=(values.get("q") or "").strip()[:100],
        tag_id=int_arg(values.get("tag")),
        cohort=(values.get("cohort") or "").strip()[:100],
        status=status if status in MEMBER_STATUSES else "",
    )


def jst_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def jst_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=JST)


def jst_day_end(day: date) -> datetime:
    return jst_day_start(day) + timedelta(days=1)


def or_404(value):  # type: ignore[no-untyped-def]
    if value is None:
        raise NotFound()
    return value
