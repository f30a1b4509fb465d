"""Reading the ledger back in points tests."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from linecomm.actions import service as actions
from linecomm.points import service
from linecomm.points.models import PointEntry
from tests.support.community import Community


def entries(community: Community, member_id: int) -> list[tuple[str, str, int]]:
    """(kind, key, amount) of the member's ledger rows, oldest first."""
    with community.reader() as s:
        return [(e.kind, e.key, e.amount) for e in s.scalars(
            select(PointEntry).where(PointEntry.member_id == member_id).order_by(PointEntry.id))]


def balance(community: Community, member_id: int) -> tuple[int, int]:
    with community.reader() as s:
        held = service.balance_of(s, member_id)
        return held.balance, held.lifetime


def record(community: Community, member_id: int, kind: str, key: str, at: datetime | None = None,
           content_id: int | None = None) -> int | None:
    with community.session() as s:
        action = actions.record(s, member_id, kind, key, at=at, content_id=content_id)
        return None if action is None else action.id
