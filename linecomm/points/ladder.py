"""The rank ladder (ランク): steps with Japanese names and lifetime-point thresholds, set by marketers in the
console (versioned; members follow the built-in ladder, version 0, until someone sets one). Read by the
ledger, which keeps each member's rank in the same write as their balance (ledger.tally_upsert), and by
ranks, which announces rank-ups and owns the console's rules for a ladder."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from linecomm.points.rank_models import PointRank

LADDER_MEMO = "points.ranks"
DEFAULT_LADDER: tuple[tuple[str, int], ...] = (
    ("レギュラー", 0), ("ブロンズ", 300), ("シルバー", 1_000), ("ゴールド", 3_000))


@dataclass(frozen=True)
class Rank:
    level: int
    name: str
    threshold: int


@dataclass(frozen=True)
class Progress:
    """Where a member stands: their rank, the next one (None at the top) and the points still needed."""

    rank: Rank
    next: Rank | None
    needed: int
    percent: int  # 0..100 of the way from this rank's threshold to the next one's


@dataclass(frozen=True)
class Ladder:
    version: int  # 0: the built-in default
    ranks: tuple[Rank, ...]
    thresholds: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", tuple(r.threshold for r in self.ranks))

    def level_for(self, lifetime: int) -> int:
        """The highest step whose threshold `lifetime` reaches (0 below the first; the same as level_of)."""
        return max(bisect_right(self.thresholds, lifetime) - 1, 0)

    def rank(self, level: int) -> Rank:
        return self.ranks[min(max(level, 0), len(self.ranks) - 1)]

    def progress(self, lifetime: int, level: int | None = None) -> Progress:
        rank = self.rank(self.level_for(lifetime) if level is None else level)
        upper = self.ranks[rank.level + 1] if rank.level + 1 < len(self.ranks) else None
        if upper is None:
            return Progress(rank, None, 0, 100)
        span = max(upper.threshold - rank.threshold, 1)
        done = min(max(lifetime - rank.threshold, 0), span)
        return Progress(rank, upper, max(upper.threshold - lifetime, 0), done * 100 // span)


def make_ladder(version: int, steps: Sequence[tuple[str, int]]) -> Ladder:
    return Ladder(version, tuple(Rank(i, name, threshold) for i, (name, threshold) in enumerate(steps)))


DEFAULT = make_ladder(0, DEFAULT_LADDER)


def current_ladder(session: Session) -> Ladder:
    """The ladder in force (one query; remembered for the session, forgotten when a new one is set)."""
    memo = session.info.get(LADDER_MEMO)
    if memo is not None:
        return memo
    newest = select(func.max(PointRank.version)).scalar_subquery()
    rows = session.execute(select(PointRank.version, PointRank.name, PointRank.threshold)
                           .where(PointRank.version == newest).order_by(PointRank.level)).all()
    ladder = make_ladder(rows[0].version, [(r.name, r.threshold) for r in rows]) if rows else DEFAULT
    session.info[LADDER_MEMO] = ladder
    return ladder


def forget(session: Session) -> None:
    session.info.pop(LADDER_MEMO, None)


def level_of(ladder: Ladder, lifetime: ColumnElement[int]) -> ColumnElement[int]:
    """The rank level a lifetime total reaches, as SQL (a CASE over at most MAX_RANKS thresholds)."""
    steps = [r for r in ladder.ranks if r.level > 0]
    if not steps:
        return literal(0)
    return case(*[(lifetime >= r.threshold, r.level) for r in reversed(steps)], else_=0)
