"""The Japan-time months each member was active in (`member_active_months`), kept as actions are recorded.

A month counts once the member recorded an action in it (by the action's `occurred_at`, in JST), and stays
counted: withdrawing the action later (a support taken back, a best answer moved to another answer) does not
un-happen the activity, and an action recorded again after a withdrawal adds the month it is recorded in.
Keeping rows only ever added makes the table one INSERT ... ON CONFLICT DO NOTHING per batch, with no
recount and no race between a withdrawal and a concurrent action in the same month. Content hidden in
moderation does not matter here either (the ambassadors' month rule never looked at it).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from linecomm.actions.models import MemberAction, MemberActiveMonth
from linecomm.db import insert_rows_ignoring_conflicts, one_of
from linecomm.timezones import JST


def month_of(at: datetime) -> str:
    """The JST month of a UTC instant, as stored ("2026-12")."""
    return at.astimezone(JST).strftime("%Y-%m")


def window(now: datetime, months: int) -> tuple[str, str]:
    """The first and last JST months of the `months` months ending with now's (both included)."""
    local = now.astimezone(JST)
    year, month = divmod(local.year * 12 + local.month - 1 - (months - 1), 12)
    return f"{year:04d}-{month + 1:02d}", month_of(now)


def note(session: Session, recorded: Iterable[MemberAction]) -> None:
    """Add the months of these newly recorded actions: one statement whatever their number (rows sorted,
    so concurrent batches take the same new rows in the same order)."""
    rows = sorted({(a.member_id, month_of(a.occurred_at)) for a in recorded})
    if rows:
        insert_rows_ignoring_conflicts(session, MemberActiveMonth.__table__,
                                       [{"member_id": m, "month": month} for m, month in rows],
                                       ["member_id", "month"], "member_id")


def in_window(now: datetime, months: int) -> ColumnElement[bool]:
    """The rows of the `months` JST months ending with now's."""
    first, last = window(now, months)
    return and_(MemberActiveMonth.month >= first, MemberActiveMonth.month <= last)


def counts(session: Session, now: datetime, months: int, member_ids: list[int]) -> dict[int, int]:
    """How many of the `months` JST months ending with now's each of these members was active in (members
    with none are left out)."""
    if not member_ids:
        return {}
    return {m: int(n) for m, n in session.execute(
        select(MemberActiveMonth.member_id, func.count())
        .where(in_window(now, months), one_of(session, MemberActiveMonth.member_id, member_ids))
        .group_by(MemberActiveMonth.member_id))}
