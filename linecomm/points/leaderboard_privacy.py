"""Leaderboards' privacy hook: whether the member shows on the boards (their totals are points' tallies,
exported and kept by points' hook). Erasure deletes the choice (the boards drop an erased member anyway:
only members show, and Redis follows the membership change on commit)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from linecomm.points.leaderboard_models import LeaderboardPreference
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    pref = session.get(LeaderboardPreference, member.id)
    return {
        "leaderboard_hidden": None if pref is None else {"hidden": pref.hidden, "updated_at": plain(pref.updated_at)},
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    prefs = session.execute(delete(LeaderboardPreference).where(LeaderboardPreference.member_id == member.id)
                            .execution_options(synchronize_session=False)).rowcount or 0
    return {"leaderboard_preferences": int(prefs)} if prefs else {}


hook = PrivacyHook(name="leaderboards", tables=("leaderboard_preferences",),
                   export_member=export_member, erase_member=erase_member)
