"""Leaderboards' privacy hook: the member's monthly totals and whether they show on the boards. Erasure
deletes both (the boards drop an erased member anyway: only members show, and Redis follows the membership
change on commit)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from linecomm.points.leaderboard_models import LeaderboardPreference, MonthlyPoints
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    pref = session.get(LeaderboardPreference, member.id)
    return {
        "leaderboard_hidden": None if pref is None else {"hidden": pref.hidden, "updated_at": plain(pref.updated_at)},
        "leaderboard_monthly_points": [
            {"month": row.month, "points": row.points}
            for row in session.scalars(select(MonthlyPoints).where(MonthlyPoints.member_id == member.id)
                                       .order_by(MonthlyPoints.month))
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    months = session.execute(delete(MonthlyPoints).where(MonthlyPoints.member_id == member.id)
                             .execution_options(synchronize_session=False)).rowcount or 0
    prefs = session.execute(delete(LeaderboardPreference).where(LeaderboardPreference.member_id == member.id)
                            .execution_options(synchronize_session=False)).rowcount or 0
    done = {"leaderboard_months": int(months), "leaderboard_preferences": int(prefs)}
    return {k: v for k, v in done.items() if v}


hook = PrivacyHook(name="leaderboards", tables=("leaderboard_monthly_points", "leaderboard_preferences"),
                   export_member=export_member, erase_member=erase_member)
