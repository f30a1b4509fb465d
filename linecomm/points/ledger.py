"""The ledger's writes: grants for member actions (within the daily cap), their reversals, and the balance
kept per entry in the same transaction. Every entry has a UNIQUE key derived from its source, so whatever
is retried, redelivered or raced pays once:

- `action:<action id>` the first grant for an action; `action:<action id>:<n>` the grant after its n-th
  reversal (content restored, support given back);
- `reverse:<action id>:<n>` the n-th reversal (numbered from 0), so each hide/restore transition pays or
  takes back once.

A batch of actions is handled with a constant number of statements. Functions only flush.
"""
from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, and_, bindparam, case, cast, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from linecomm.actions.models import MemberAction
from linecomm.db import dialect_name, insert_rows_ignoring_conflicts, one_of
from linecomm.points.ladder import current_ladder, level_of
from linecomm.points.models import EntryKind, MemberPoints, PointEntry
from linecomm.points.rules import current_rules
from linecomm.timezones import JST


def jst_day_start(now: datetime) -> datetime:
    local = now.astimezone(JST)
    return datetime.combine(local.date(), time(0), tzinfo=JST)


def expiry_after(now: datetime, months: int | None) -> datetime | None:
    """The end of the JST day `months` after `now` (a grant on 5 Dec expires when 6 Dec starts, a year on)."""
    if not months:
        return None
    day = now.astimezone(JST).date()
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    end = datetime.combine(day.replace(year=year, month=month, day=min(day.day, last)), time(0), tzinfo=JST)
    return end + timedelta(days=1)


def _upsert(session: Session) -> Any:
    return postgresql.insert(MemberPoints) if dialect_name(session) == "postgresql" else sqlite.insert(MemberPoints)


def month_key(now: datetime) -> str:
    """The JST month `now` falls in, "2026-12" (what `member_points.month_key` holds)."""
    return now.astimezone(JST).strftime("%Y-%m")


class BalanceChange(NamedTuple):
    """A member's tallies after an entry moved them (as written, from the same statement), and by how much
    the lifetime total moved. A NamedTuple: a segment grant makes 100,000 of them."""

    member_id: int
    balance: int
    lifetime: int
    lifetime_delta: int
    month_points: int = 0  # the current JST month's points (monthly leaderboard)
    rank_level: int = 0  # the rank the lifetime total reaches now
    rank_announced: int = 0  # the highest rank announced to the member so far
    month_key: str = ""  # the JST month `month_points` counts ("2026-12")


# The seam of what follows balances (rank-up notices and menus, the leaderboards' Redis boards): each
# listener hears, in the writing transaction, every member whose tallies moved, with the new figures.
# Listeners must use a constant number of statements whatever the number of changes (a segment grant passes
# 100,000). Registered by each feature's install().
BALANCE_LISTENERS: list[Callable[[Session, list[BalanceChange], datetime], None]] = []


def tell_listeners(session: Session, changes: list[BalanceChange], now: datetime) -> None:
    if changes:
        _forget_loaded(session, changes)
        for listener in list(BALANCE_LISTENERS):
            listener(session, changes, now)


def _forget_loaded(session: Session, changes: list[BalanceChange]) -> None:
    """Tallies written behind the ORM's back are read afresh if the session holds them."""
    held = [obj for obj in list(session.identity_map.values()) if isinstance(obj, MemberPoints)]
    if held:
        moved = {c.member_id for c in changes}
        for obj in held:
            if obj.member_id in moved:
                session.expire(obj)


TALLIES = (MemberPoints.member_id, MemberPoints.balance, MemberPoints.lifetime, MemberPoints.month_points,
           MemberPoints.rank_level, MemberPoints.rank_announced, MemberPoints.month_key)


def tally_upsert(session: Session, source: Select[Any], now: datetime) -> Any:
    """The one write of the members' tallies: an upsert of `member_points` from `source`, rows of
    (member_id, balance delta, lifetime delta), that moves the balance and lifetime total, the current JST
    month's points (starting again from 0 when the row was last written in an earlier month) and sets the
    rank the new lifetime total reaches on the ladder in force, each member's row written once. RETURNING
    the new tallies (TALLIES order). Used by add_to_balances and by the segment grant, which feeds it the
    entries it inserts."""
    ladder = current_ladder(session)
    src = source.subquery("deltas")
    member_id, balance, lifetime = list(src.c)[:3]
    stmt = _upsert(session).from_select(
        ["member_id", "balance", "lifetime", "month_key", "month_points", "rank_level", "updated_at"],
        select(member_id, balance, lifetime, literal(month_key(now), MemberPoints.month_key.type), lifetime,
               level_of(ladder, lifetime), literal(now, MemberPoints.updated_at.type))
        .where(member_id.is_not(None)))  # (a WHERE keeps SQLite's parser from reading ON as a join's)
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(index_elements=["member_id"], set_={
        "balance": MemberPoints.balance + excluded.balance,
        "lifetime": MemberPoints.lifetime + excluded.lifetime,
        # A month starts again from 0; a write dated in a month already left behind (a transaction that began
        # before midnight JST and commits after) leaves the newer month's total as it is.
        "month_points": case((MemberPoints.month_key == excluded.month_key,
                              MemberPoints.month_points + excluded.month_points),
                             (MemberPoints.month_key > excluded.month_key, MemberPoints.month_points),
                             else_=excluded.month_points),
        "month_key": case((MemberPoints.month_key > excluded.month_key, MemberPoints.month_key),
                          else_=excluded.month_key),
        "rank_level": level_of(ladder, MemberPoints.lifetime + excluded.lifetime),
        "updated_at": excluded.updated_at,
    }).returning(*TALLIES)


def write_tallies(session: Session, source: Select[Any], now: datetime) -> list[Any]:
    """Run tally_upsert for `source` and return the new tallies, through Core (the ORM's result machinery
    costs about a third more per row, and a segment grant returns 100,000); pending ORM changes are flushed
    first, as session.execute would."""
    session.flush()
    return list(session.connection().execute(tally_upsert(session, source, now)).all())


def _deltas_source(session: Session, rows: list[tuple[int, int, int]]) -> Select[Any]:
    """(member_id, balance, lifetime) rows as a SELECT with one parameter per column whatever their number:
    three arrays on PostgreSQL (the statement's text never changes, so psycopg and the server parse it
    once), one JSON document on SQLite (no limit on parameters)."""
    if dialect_name(session) == "postgresql":
        arrays = [cast(bindparam(name, [r[i] for r in rows], type_=postgresql.ARRAY(Integer)),
                       postgresql.ARRAY(Integer)) for i, name in enumerate(("members", "balances", "lifetimes"))]
        deltas = func.unnest(*arrays).table_valued("member_id", "balance", "lifetime").render_derived(name="r")
        return select(deltas.c.member_id, deltas.c.balance, deltas.c.lifetime).order_by(deltas.c.member_id)
    each = func.json_each(literal(json.dumps(rows))).table_valued("value")
    return select(*[cast(func.json_extract(each.c.value, f"$[{i}]"), Integer) for i in range(3)])


def add_to_balances(session: Session, deltas: dict[int, tuple[int, int]], now: datetime) -> None:
    """balance += b, lifetime += l for each member in one statement (tally_upsert: missing rows are created,
    the month's points and the rank follow), then tell BALANCE_LISTENERS of the members whose figures moved.
    With all deltas zero this only takes the members' row locks (so caps are counted one transaction at a
    time)."""
    if not deltas:
        return
    rows = [(m, b, lt) for m, (b, lt) in sorted(deltas.items())]
    result = write_tallies(session, _deltas_source(session, rows), now)
    if BALANCE_LISTENERS:
        tell_listeners(session, [BalanceChange(m, b, lt, deltas[m][1], mp, lvl, ann, mk)
                                 for m, b, lt, mp, lvl, ann, mk in result if deltas[m] != (0, 0)], now)


def _lifetime_part(kind: str, amount: int) -> int:
    return 0 if kind == EntryKind.EXPIRY else amount


def insert_entries(session: Session, rows: list[dict[str, Any]], now: datetime) -> list[tuple[int, int, str]]:
    """Insert ledger rows (those whose key exists already are skipped) and move the balances; returns
    (member_id, amount, key) of the rows inserted."""
    if not rows:
        return []
    columns = ("member_id", "key", "kind", "amount", "action_id", "action_kind", "rule_version",
               "source_entry_id", "expires_at", "reason", "created_by", "created_at")
    full = [{c: row.get(c) for c in columns} for row in rows]
    inserted = insert_rows_ignoring_conflicts(session, PointEntry.__table__, full, ["key"],
                                              ("member_id", "amount", "key", "kind"))
    deltas: dict[int, tuple[int, int]] = {}
    for member_id, amount, _key, kind in inserted:
        b, lt = deltas.get(member_id, (0, 0))
        deltas[member_id] = (b + amount, lt + _lifetime_part(kind, amount))
    add_to_balances(session, {m: d for m, d in deltas.items() if d != (0, 0)}, now)
    return [(m, a, k) for m, a, k, _ in inserted]


def _generations(session: Session, action_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(grants, reversals) so far per action."""
    if not action_ids:
        return {}
    rows = session.execute(
        select(PointEntry.action_id,
               func.sum(case((PointEntry.kind == EntryKind.GRANT, 1), else_=0)),
               func.sum(case((PointEntry.kind == EntryKind.REVERSAL, 1), else_=0)))
        .where(one_of(session, PointEntry.action_id, sorted(set(action_ids))),
               PointEntry.kind.in_((EntryKind.GRANT, EntryKind.REVERSAL)))
        .group_by(PointEntry.action_id)
    ).all()
    return {action_id: (int(g or 0), int(r or 0)) for action_id, g, r in rows}


def grant_key(action_id: int, generation: int) -> str:
    return f"action:{action_id}" if generation == 0 else f"action:{action_id}:{generation}"


def grant_actions(session: Session, actions: Iterable[MemberAction], now: datetime,
                  unpaid: dict[int, str] | None = None) -> int:
    """Pay each action that is not paid now, by the rule in force, within its daily cap (over the cap the
    grant is recorded with 0 points); the actions in `unpaid` (id → the reason, for the member's history)
    are recorded with 0 points too (farming, linecomm.points.farming). Returns the points granted."""
    unpaid = unpaid or {}
    todo = [a for a in actions if a.withdrawn_at is None]
    if not todo:
        return 0
    rules = current_rules(session)
    capped = {a.kind for a in todo if (rule := rules.get(a.kind)) is not None and rule.daily_cap is not None}
    if capped:  # lock the members' balances: their caps are counted one transaction at a time
        add_to_balances(session, {a.member_id: (0, 0) for a in todo if a.kind in capped}, now)
    generations = _generations(session, [a.id for a in todo])
    earned: dict[tuple[int, str], int] = {}
    if capped:
        members = sorted({a.member_id for a in todo if a.kind in capped})
        earned = {(m, k): int(total or 0) for m, k, total in session.execute(
            select(PointEntry.member_id, PointEntry.action_kind, func.sum(PointEntry.amount))
            .where(PointEntry.member_id.in_(members), PointEntry.action_kind.in_(sorted(capped)),
                   PointEntry.kind.in_((EntryKind.GRANT, EntryKind.REVERSAL)),
                   PointEntry.created_at >= jst_day_start(now))
            .group_by(PointEntry.member_id, PointEntry.action_kind))}
    rows = []
    for action in sorted(todo, key=lambda a: a.id):
        grants, reversals = generations.get(action.id, (0, 0))
        if grants > reversals:
            continue  # paid and not taken back
        rule = rules.get(action.kind)
        amount = rule.amount if rule and action.id not in unpaid else 0
        if rule is not None and rule.daily_cap is not None:
            so_far = earned.get((action.member_id, action.kind), 0)
            amount = max(0, min(amount, rule.daily_cap - so_far))
            earned[(action.member_id, action.kind)] = so_far + amount
        rows.append({"member_id": action.member_id, "key": grant_key(action.id, reversals), "kind": EntryKind.GRANT,
                     "amount": amount, "action_id": action.id, "action_kind": action.kind,
                     "rule_version": rule.version if rule else None,
                     "expires_at": expiry_after(now, rule.expiry_months) if rule and amount > 0 else None,
                     "reason": unpaid.get(action.id), "created_at": now})
    return sum(amount for _, amount, _ in insert_entries(session, rows, now))


def reverse_actions(session: Session, actions: Iterable[MemberAction], reason: str, now: datetime) -> int:
    """Take back what each action's standing grant still gives (its unexpired points) with a compensating
    row; actions with no standing grant are left alone. Returns the points taken back (positive)."""
    todo = list(actions)
    if not todo:
        return 0
    add_to_balances(session, {a.member_id: (0, 0) for a in todo}, now)
    ids = sorted({a.id for a in todo})
    settled = aliased(PointEntry)
    expired = aliased(PointEntry)
    standing = session.execute(
        select(PointEntry.id, PointEntry.action_id, PointEntry.member_id, PointEntry.action_kind,
               PointEntry.amount, func.coalesce(expired.amount, 0))
        .outerjoin(expired, and_(expired.source_entry_id == PointEntry.id, expired.kind == EntryKind.EXPIRY))
        .where(PointEntry.action_id.in_(ids), PointEntry.kind == EntryKind.GRANT,
               ~select(settled.id).where(settled.source_entry_id == PointEntry.id,
                                         settled.kind == EntryKind.REVERSAL).exists())
    ).all()
    generations = _generations(session, ids)
    rows = [{"member_id": member_id, "key": f"reverse:{action_id}:{generations.get(action_id, (0, 0))[1]}",
             "kind": EntryKind.REVERSAL, "amount": -(amount + gone), "action_id": action_id,
             "action_kind": kind, "source_entry_id": grant_id, "reason": reason, "created_at": now}
            for grant_id, action_id, member_id, kind, amount, gone in standing]
    return -sum(amount for _, amount, _ in insert_entries(session, rows, now))
