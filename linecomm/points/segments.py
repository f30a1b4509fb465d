"""Points' conditions for push segments, registered with linecomm.pushes.segments (which names this module
in CONDITION_MODULES and never imports it): "rank ≥ X" (the member's kept rank level, on the current
ladder) and "points ≥ N" (their balance; points.service.balance_at_least). Each is one EXISTS correlated to
members.id, served by member_points' primary key: one set-based statement at any size."""
from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.points import ranks
from linecomm.points.models import MemberPoints
from linecomm.points.service import balance_at_least
from linecomm.pushes.segments import RegisteredCondition, register_condition


def rank_at_least(level: int) -> ColumnElement[bool]:
    """The member's rank is `level` or above (level 0, the first rank, is everyone: the field is unset)."""
    return exists(select(MemberPoints.member_id).where(MemberPoints.member_id == Member.id,
                                                       MemberPoints.rank_level >= level))


def describe_rank(session: Session | None, level: int) -> str:
    name = ranks.current_ladder(session).rank(level).name if session is not None else f"レベル{level}"
    return f"ランク: {name}以上"


def missing_rank(session: Session, level: int) -> list[str]:
    ladder = ranks.current_ladder(session)
    return [] if 0 <= level < len(ladder.ranks) else [f"ランク（レベル{level}）が見つかりません。"]


def describe_points(session: Session | None, points: int) -> str:
    return f"ポイント残高: {points:,}pt以上"


def no_problems(session: Session, points: int) -> list[str]:
    return []


register_condition(RegisteredCondition("rank_at_least", rank_at_least, describe_rank, missing_rank))
register_condition(RegisteredCondition("points_at_least", balance_at_least, describe_points, no_problems))


def form_options(session: Session) -> list[dict[str, object]]:
    """The ranks a marketer can pick ("this rank or above"), the first one aside (it is everyone)."""
    return [{"level": r.level, "name": r.name, "threshold": r.threshold}
            for r in ranks.current_ladder(session).ranks if r.level > 0]
