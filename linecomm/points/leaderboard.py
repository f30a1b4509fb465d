"""Leaderboards (ランキング): the month's board (points earned in the current JST month) and the all-time
board (lifetime points), by nickname.

What counts. All-time: `member_points.lifetime` (every entry but expiries). Monthly: the lifetime part of
every ledger entry dated in the JST month — grants and hand grants add, reversals and deductions dated that
month subtract (even when they take back a grant of an earlier month); expiry does not count. The month's
totals are kept on `member_points` (`month_key`, `month_points`) by the ledger in the same write as the
balance (ledger.tally_upsert), so a grant to 100,000 members writes each member's row once; the periodic pass
recomputes them from the ledger (linecomm.points.leaderboard_repair).

Who shows. Members (not followers, former, suspended or erased members) with more than 0 points who did not
opt out; nicknames only (a member without one shows as 「メンバー」). An opted-out member still sees their own
position, computed against the members who show. Opting out, joining, leaving, erasure, a suspension and
its lifting move Redis on commit (the membership listener: moderation's sanctions call members' listeners);
every list is also checked against the members table, in case Redis is a moment behind.

Ranks. Competition ranking: equal points share a rank and the next rank skips ("1, 2, 2, 4"): a member's
rank is the number of members showing with more points, plus one. Within equal points the list shows the
newer member (higher id) first; that order is presentation only.

Where from. With Redis, sorted sets kept in step after each commit (linecomm.points.leaderboard_store) and
rebuilt from PostgreSQL when lost; without Redis (the embedded default) the same answers come from SQL.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from linecomm.db import one_of, utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.points import ledger
from linecomm.points.leaderboard_models import LeaderboardPreference
from linecomm.points.leaderboard_store import RedisBoards, Write, boards_of_session, queue_writes
from linecomm.points.models import MemberPoints

ALL_TIME = "all"
MONTHLY = "monthly"
KINDS = (MONTHLY, ALL_TIME)
NO_NICKNAME = "メンバー"
SLACK = 10  # extra rows read from Redis, in case members left since the board was last in step


def month_of(now: datetime) -> str:
    """The JST month `now` falls in, "2026-12"."""
    return ledger.month_key(now)


def board_name(kind: str, now: datetime) -> str:
    """The Redis board of a kind at `now`: "all", or "m:2026-12" for the month's."""
    return ALL_TIME if kind == ALL_TIME else f"m:{month_of(now)}"


# ---- keeping the boards in step -------------------------------------------------------------------------
def _shown(member_id_column):  # type: ignore[no-untyped-def]
    """Conditions for a member to show on the boards (correlated to `member_id_column`)."""
    member = aliased(Member)  # never Member itself: the outer query may be on members
    return (
        exists(select(member.id).where(member.id == member_id_column, member.status == MemberStatus.MEMBER)),
        ~exists(select(LeaderboardPreference.member_id).where(LeaderboardPreference.member_id == member_id_column,
                                                               LeaderboardPreference.hidden.is_(True))),
    )


# Every status but MEMBER: a member in one of them does not show.
NOT_SHOWN_STATUSES = sorted(v for k, v in vars(MemberStatus).items() if k.isupper() and v != MemberStatus.MEMBER)


def _shown_among(session: Session, member_ids: list[int]) -> set[int]:
    """Which of these members show, found as the complement of the few who do not (another status, opted
    out): the statement scans those (members' status index, the opt-outs) rather than probing each of the
    100,000 members a segment grant moves."""
    if not member_ids:
        return set()
    ids = sorted(set(member_ids))
    elsewhere = select(Member.id).where(Member.status.in_(NOT_SHOWN_STATUSES), one_of(session, Member.id, ids))
    opted_out = select(LeaderboardPreference.member_id).where(LeaderboardPreference.hidden.is_(True),
                                                              one_of(session, LeaderboardPreference.member_id, ids))
    return set(ids) - set(session.scalars(elsewhere.union_all(opted_out)))


def _write(board: str, member_id: int, points: int, shown: set[int]) -> Write:
    return (board, member_id, points if member_id in shown and points > 0 else None)


def on_balance_changes(session: Session, changes: list[ledger.BalanceChange], now: datetime) -> None:
    """ledger.BALANCE_LISTENERS: the ledger has written the new totals (lifetime and the month's, in its one
    write of the tallies); with Redis, queue them for the boards after the commit (one query of who shows,
    whatever the number of changes)."""
    if boards_of_session(session) is None:
        return
    moved = [c for c in changes if c.lifetime_delta]
    if not moved:
        return
    shown = _shown_among(session, [c.member_id for c in moved])
    # The month the total counts, as written (a write dated in a month already left behind keeps the newer one).
    queue_writes(session, [_write(ALL_TIME, c.member_id, c.lifetime, shown) for c in moved]
                 + [_write(f"m:{c.month_key or month_of(now)}", c.member_id, c.month_points, shown) for c in moved])


def resync_members(session: Session, member_ids: list[int], now: datetime) -> None:
    """Queue the members' current totals (or their removal) for Redis after the commit: they joined, left,
    were erased, suspended or let back, or changed whether they show."""
    if boards_of_session(session) is None or not member_ids:
        return
    ids = sorted(set(member_ids))
    month = month_of(now)
    queue_writes(session, current_writes(session, ALL_TIME, month, ALL_TIME, ids)
                 + current_writes(session, MONTHLY, month, board_name(MONTHLY, now), ids))


def on_membership_changed(session: Session, member: Member, line_user_id: str) -> None:
    """members.MEMBERSHIP_LISTENERS: a member who joins (or whose suspension is lifted) shows, one who leaves,
    is erased or suspended vanishes."""
    resync_members(session, [member.id], utcnow())


def is_hidden(session: Session, member_id: int) -> bool:
    return bool(session.scalar(select(LeaderboardPreference.hidden)
                               .where(LeaderboardPreference.member_id == member_id)))


def set_hidden(session: Session, member_id: int, hidden: bool, now: datetime) -> None:
    """Opt out of (hidden=True) or back onto the boards; Redis follows on commit. Only flushes."""
    pref = session.get(LeaderboardPreference, member_id)
    if pref is None:
        pref = LeaderboardPreference(member_id=member_id, hidden=hidden, updated_at=now)
        session.add(pref)
    else:
        pref.hidden, pref.updated_at = hidden, now
    session.flush()
    resync_members(session, [member_id], now)


def install() -> None:
    """Follow balances and membership (again installing changes nothing)."""
    from linecomm.members import service as members

    if on_balance_changes not in ledger.BALANCE_LISTENERS:
        ledger.BALANCE_LISTENERS.append(on_balance_changes)
    if on_membership_changed not in members.MEMBERSHIP_LISTENERS:
        members.MEMBERSHIP_LISTENERS.append(on_membership_changed)


# ---- reading the boards ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    rank: int
    member_id: int
    nickname: str
    points: int


@dataclass(frozen=True)
class Position:
    """The member's own place: rank None while they have no points on this board."""

    rank: int | None
    points: int
    hidden: bool


@dataclass(frozen=True)
class Board:
    kind: str
    month: str  # "2026-12" (the month of a monthly board, the current one for all-time)
    standings: list[Standing]
    me: Position | None


def _scores(kind: str, month: str) -> Select:  # type: ignore[type-arg]
    """(member_id, points) of every member with a total on the board (showing or not)."""
    if kind == ALL_TIME:
        return select(MemberPoints.member_id.label("member_id"), MemberPoints.lifetime.label("points"))
    return select(MemberPoints.member_id.label("member_id"), MemberPoints.month_points.label("points")).where(
        MemberPoints.month_key == month)


def _points_of(session: Session, kind: str, month: str, member_id: int) -> int:
    scores = _scores(kind, month).subquery()
    return int(session.scalar(select(scores.c.points).where(scores.c.member_id == member_id)) or 0)


def shown_scores(kind: str, month: str) -> Select:  # type: ignore[type-arg]
    """(member_id, points) of the members who show, more than 0 points (what a rebuild puts in Redis)."""
    scores = _scores(kind, month).subquery()
    return select(scores.c.member_id, scores.c.points).where(scores.c.points > 0, *_shown(scores.c.member_id))


def _sql_top(session: Session, kind: str, month: str, limit: int) -> list[tuple[int, int]]:
    scores = shown_scores(kind, month).subquery()
    return [(m, p) for m, p in session.execute(
        select(scores.c.member_id, scores.c.points).order_by(scores.c.points.desc(), scores.c.member_id.desc())
        .limit(limit))]


def _sql_above(session: Session, kind: str, month: str, points: int) -> int:
    scores = shown_scores(kind, month).subquery()
    return int(session.scalar(select(func.count()).select_from(scores).where(scores.c.points > points)) or 0)


def _ranked(session: Session, rows: list[tuple[int, int]], limit: int) -> list[Standing]:
    """Nicknames for the rows, dropping any member who no longer shows (Redis a moment behind), ranked."""
    if not rows:
        return []
    names = dict(session.execute(select(Member.id, Member.nickname).where(
        one_of(session, Member.id, [m for m, _ in rows]), *_shown(Member.id))).all())
    kept = [(m, p) for m, p in rows if m in names][:limit]
    standings: list[Standing] = []
    for i, (member_id, points) in enumerate(kept):
        rank = standings[-1].rank if standings and standings[-1].points == points else i + 1
        standings.append(Standing(rank, member_id, names[member_id] or NO_NICKNAME, points))
    return standings


def board(session: Session, boards: RedisBoards | None, kind: str, now: datetime, limit: int,
          member_id: int | None = None) -> Board:
    """The first `limit` members of a board and, for `member_id`, their own position. Reads Redis when the
    board there is ready, else SQL (and the store asks for a rebuild)."""
    if kind not in KINDS:
        raise ValueError(f"unknown leaderboard {kind!r}")
    month = month_of(now)
    name = board_name(kind, now)
    use_redis = boards is not None and boards.ready(name)
    rows: list[tuple[int, int]] = []
    if limit > 0:
        rows = boards.top(name, limit + SLACK) if use_redis and boards else _sql_top(session, kind, month, limit)
    me = None
    if member_id is not None:
        me = _position(session, boards if use_redis else None, kind, month, name, member_id)
    return Board(kind, month, _ranked(session, rows, limit), me)


def _position(session: Session, boards: RedisBoards | None, kind: str, month: str, name: str,
              member_id: int) -> Position:
    if boards is not None:
        # One round trip; a member on a ready board shows (opted-out members are removed from it).
        found = boards.position(name, member_id)
        if found is None:
            boards = None  # not ready: SQL answers
        elif found[0] is not None:
            return Position(found[1] + 1, found[0], False)
    scores = _scores(kind, month).subquery()
    held, hidden_flag = session.execute(select(
        select(scores.c.points).where(scores.c.member_id == member_id).scalar_subquery(),
        select(LeaderboardPreference.hidden).where(LeaderboardPreference.member_id == member_id).scalar_subquery(),
    )).one()  # one round trip for both
    points, hidden = int(held or 0), bool(hidden_flag)
    if points <= 0:
        return Position(None, points, hidden)
    above = boards.count_above(name, points) if boards is not None else _sql_above(session, kind, month, points)
    return Position(above + 1, points, hidden)


def rank_of(session: Session, boards: RedisBoards | None, kind: str, now: datetime, member_id: int) -> Position:
    """Only the member's own position: with Redis ready and the member on the board, one Redis round trip
    and no SQL."""
    return _position(session, boards, kind, month_of(now), board_name(kind, now), member_id)


def stream_shown(session: Session, kind: str, month: str, chunk: int = 20_000) -> Iterator[list[tuple[int, int]]]:
    """Every (member id, points) that shows, in chunks, read through a server-side cursor on PostgreSQL."""
    # Core on the session's connection, not the ORM's result machinery: a third of the time per row.
    connection = session.connection().execution_options(stream_results=True, max_row_buffer=chunk)
    yield from connection.execute(shown_scores(kind, month)).partitions(chunk)  # type: ignore[misc]


def current_writes(session: Session, kind: str, month: str, board: str, member_ids: list[int]) -> list[Write]:
    """The members' totals on the board as committed now (a rebuild's catch-up)."""
    scores = _scores(kind, month).subquery()
    points = dict(session.execute(select(scores.c.member_id, scores.c.points).where(
        one_of(session, scores.c.member_id, member_ids))).all())
    shown = _shown_among(session, member_ids)
    return [_write(board, m, int(points.get(m, 0)), shown) for m in member_ids]
