"""Ranks (ランク) by lifetime points: a ladder marketers set in the console (versioned and audited like the
point rules; members follow the built-in ladder, version 0, until someone sets one).

A member's rank is the highest step whose threshold their lifetime total reaches (the ladder:
linecomm.points.ladder), kept on `member_points` (`rank_level`) by the ledger in the same write as the
balance (ledger.tally_upsert), so a segment grant to 100,000 members writes each member's row once. This
module listens to the balances (ledger.BALANCE_LISTENERS) to announce rank-ups and move the ranked rich menu,
with a constant number of statements whatever the number of members moved.

Rank policy: the rank follows the lifetime total both ways. The lifetime total never drops through expiry
or spending; it drops only when a reversal takes back points that should not have been paid (an action
withdrawn, content hidden by moderation), and the rank they bought goes with them. A rank-up is announced
once per member and level (`rank_announced` keeps the highest level announced; the outbox key
`rank-up:<member>:<level>` is UNIQUE), so losing a rank and earning it back says nothing twice. The
periodic recompute (`repair`) sets every rank from the ladder in one statement and never announces.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from linecomm.db import one_of, utcnow
from linecomm.points import ledger
from linecomm.points.ladder import (  # noqa: F401  (the ladder's names, as the rest of the code knows them)
    DEFAULT,
    DEFAULT_LADDER,
    Ladder,
    Progress,
    Rank,
    current_ladder,
    forget,
    level_of,
)
from linecomm.points.models import MemberPoints
from linecomm.points.rank_models import PointRank

MAX_RANKS = 10
NAME_MAX = 20
MAX_THRESHOLD = 100_000_000


class RankError(ValueError):
    """A ladder a marketer entered that cannot be kept (the message is Japanese, for the form)."""


def check(steps: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The steps, names trimmed, or RankError with what is wrong."""
    cleaned = [((name or "").strip(), threshold) for name, threshold in steps]
    if not cleaned:
        raise RankError("ランクを1つ以上入力してください。")
    if len(cleaned) > MAX_RANKS:
        raise RankError(f"ランクは{MAX_RANKS}個までです。")
    for name, threshold in cleaned:
        if not name:
            raise RankError("ランク名を入力してください。")
        if len(name) > NAME_MAX:
            raise RankError(f"ランク名は{NAME_MAX}文字以内で入力してください（「{name[:NAME_MAX]}…」）。")
        if not 0 <= threshold <= MAX_THRESHOLD:
            raise RankError(f"必要な累計ポイントは0〜{MAX_THRESHOLD:,}の整数で入力してください。")
    if cleaned[0][1] != 0:
        raise RankError("最初のランクの必要な累計ポイントは0にしてください（全員が最初のランクから始まります）。")
    for (_, lower), (name, upper) in zip(cleaned, cleaned[1:], strict=False):
        if upper <= lower:
            raise RankError(f"「{name}」の必要な累計ポイントは、ひとつ前のランクより大きくしてください。")
    names = [name for name, _ in cleaned]
    if len(set(names)) != len(names):
        raise RankError("ランク名が重複しています。別の名前にしてください。")
    return cleaned


def set_ladder(session: Session, steps: Sequence[tuple[str, int]], created_by: str | None,
               now: datetime | None = None) -> tuple[Ladder, Ladder]:
    """Add a new version of the ladder and move every member to their rank on it (one statement, nothing
    announced: see `repair`). Returns (before, after)."""
    cleaned = check(steps)
    now = now or utcnow()
    before = current_ladder(session)
    version = max(before.version, int(session.scalar(select(func.max(PointRank.version))) or 0)) + 1
    session.add_all([PointRank(version=version, level=i, name=name, threshold=threshold, created_by=created_by,
                               created_at=now) for i, (name, threshold) in enumerate(cleaned)])
    session.flush()
    forget(session)
    after = current_ladder(session)
    repair(session, now)
    from linecomm.points import rank_menu

    session.info.pop(rank_menu.MEMO, None)
    rank_menu.relink_everyone(session)
    return before, after


def history(session: Session, limit: int = 10) -> list[tuple[int, datetime, str | None, list[tuple[str, int]]]]:
    """The newest ladder versions: (version, when, by whom, [(name, threshold)])."""
    versions = list(session.scalars(select(PointRank.version).group_by(PointRank.version)
                                    .order_by(PointRank.version.desc()).limit(limit)))
    if not versions:
        return []
    rows = session.scalars(select(PointRank).where(PointRank.version.in_(versions))
                           .order_by(PointRank.version.desc(), PointRank.level)).all()
    out: dict[int, tuple[int, datetime, str | None, list[tuple[str, int]]]] = {}
    for row in rows:
        out.setdefault(row.version, (row.version, row.created_at, row.created_by, []))[3].append(
            (row.name, row.threshold))
    return list(out.values())


def on_balances(session: Session, changes: list[ledger.BalanceChange], now: datetime) -> None:
    """ledger.BALANCE_LISTENERS: the ledger has set each moved member's rank in the same write as their
    balance; here the ranked rich menu follows the members whose rank crossed its level, and the levels never
    announced to them are announced (one UPDATE of `rank_announced`, one query of who can receive it, one
    INSERT into the outbox), whatever the number of changes."""
    ladder = current_ladder(session)
    from linecomm.points import rank_menu

    menu_from = rank_menu.from_level(session)
    if menu_from is not None:  # the ranked rich menu follows the members whose rank crossed its level
        line = ladder.rank(menu_from).threshold
        rank_menu.relink(session, [c.member_id for c in changes if c.lifetime_delta
                                   and (c.lifetime >= line) != (c.lifetime - c.lifetime_delta >= line)])
    ups = {c.member_id: c.rank_level for c in changes if c.rank_level > c.rank_announced}
    if not ups:
        return
    from linecomm.points import rank_notices

    table = MemberPoints.__table__
    session.execute(update(table).where(one_of(session, MemberPoints.member_id, sorted(ups)),
                                        table.c.rank_announced < table.c.rank_level)
                    .values(rank_announced=table.c.rank_level))
    rank_notices.announce(session, ladder, ups, now)


def repair(session: Session, now: datetime) -> int:
    """Set every member's rank from their lifetime total on the current ladder in one statement (only the
    rows that differ are written) and mark it announced, so that a repaired rank is never announced late.
    Returns how many ranks changed."""
    level = level_of(current_ladder(session), MemberPoints.lifetime)
    table = MemberPoints.__table__
    changed = session.execute(
        update(table).where(table.c.rank_level != level)
        .values(rank_level=level, rank_announced=case((table.c.rank_announced < level, level),
                                                      else_=table.c.rank_announced))
        .execution_options(synchronize_session=False)).rowcount or 0
    if changed:
        from linecomm.points import rank_menu

        if rank_menu.from_level(session) is not None:
            rank_menu.relink_everyone(session)
    return int(changed)


def rank_of(session: Session, member_id: int) -> tuple[Ladder, int, int]:
    """(ladder, the member's kept level, lifetime total)."""
    ladder = current_ladder(session)
    row = session.get(MemberPoints, member_id)
    return ladder, (row.rank_level if row else 0), (row.lifetime if row else 0)


def progress_of(session: Session, member_id: int) -> Progress:
    ladder, level, lifetime = rank_of(session, member_id)
    return ladder.progress(lifetime, level)


def install() -> None:
    """Follow balances (again installing changes nothing)."""
    if on_balances not in ledger.BALANCE_LISTENERS:
        ledger.BALANCE_LISTENERS.append(on_balances)
    from linecomm.points import rank_menu

    rank_menu.install()
