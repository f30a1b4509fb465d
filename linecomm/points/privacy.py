"""Points' privacy hook: the member's ledger rows and balance. Erasure keeps the rows (the ledger is never
deleted; no personal data in it once the member row is anonymised) but empties the reasons staff wrote on
hand grants, which may name the member."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.points.models import EntryKind, MemberPoints, PointEntry
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    held = session.get(MemberPoints, member.id)
    return {
        "points_balance": None if held is None else {"balance": held.balance, "lifetime": held.lifetime,
                                                     "rank_level": held.rank_level,
                                                     "month": held.month_key or None,
                                                     "month_points": held.month_points},
        "point_entries": [
            {"kind": e.kind, "amount": e.amount, "action_kind": e.action_kind, "reason": e.reason,
             "expires_at": plain(e.expires_at), "created_at": plain(e.created_at)}
            for e in session.scalars(select(PointEntry).where(PointEntry.member_id == member.id)
                                     .order_by(PointEntry.id))
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    emptied = session.execute(
        update(PointEntry).where(PointEntry.member_id == member.id, PointEntry.kind == EntryKind.MANUAL,
                                 PointEntry.reason.is_not(None)).values(reason="")
        .execution_options(synchronize_session=False)).rowcount or 0
    return {"point_reasons": int(emptied)} if emptied else {}


hook = PrivacyHook(name="points", tables=("point_entries", "member_points"), export_member=export_member,
                   erase_member=erase_member)
