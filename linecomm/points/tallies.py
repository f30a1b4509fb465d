"""Set-based tallies over the ledger: balances and ranks recomputed from it (drift reported and repaired),
and expiry applied with compensating rows, once per grant (`expire:<grant id>`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from linecomm.db import insert_ignoring_conflicts
from linecomm.points import ledger, ranks
from linecomm.points.models import EntryKind, MemberPoints, PointEntry

log = logging.getLogger(__name__)


def _totals() -> Select:  # type: ignore[type-arg]
    return (select(PointEntry.member_id.label("member_id"),
                   func.sum(PointEntry.amount).label("balance"),
                   func.sum(case((PointEntry.kind == EntryKind.EXPIRY, 0), else_=PointEntry.amount)).label("lifetime"))
            .group_by(PointEntry.member_id))


@dataclass(frozen=True)
class Recount:
    drifted: int  # members whose kept balance or lifetime differed from the ledger
    ranks_repaired: int = 0  # members whose kept rank differed from their lifetime total's (never announced)


def recompute(session: Session, now: datetime) -> Recount:
    """Recompute every balance from the ledger in one statement: an upsert from one GROUP BY over the ledger
    that only writes (and returns) the rows that differ or are missing, so the rows returned are the drift.
    Then one UPDATE zeroes kept rows with no ledger entries at all (rare: a hand-edited table), and one
    UPDATE sets every rank from the repaired totals (ranks.repair: nothing is announced)."""
    totals = _totals().subquery()
    upsert = ledger._upsert(session)
    upsert = upsert.from_select(
        ["member_id", "balance", "lifetime", "updated_at"],
        select(totals.c.member_id, totals.c.balance, totals.c.lifetime, literal(now, MemberPoints.updated_at.type))
        .where(totals.c.member_id.is_not(None)))  # (a WHERE keeps SQLite's parser from reading ON as a join's)
    table = MemberPoints.__table__
    upsert = upsert.on_conflict_do_update(
        index_elements=["member_id"],
        set_={"balance": upsert.excluded.balance, "lifetime": upsert.excluded.lifetime,
              "updated_at": upsert.excluded.updated_at},
        where=or_(table.c.balance != upsert.excluded.balance, table.c.lifetime != upsert.excluded.lifetime),
    ).returning(table.c.member_id)
    drifted = len(session.execute(upsert).all())
    orphans = ~select(PointEntry.id).where(PointEntry.member_id == MemberPoints.member_id).exists()
    drifted += session.execute(
        update(MemberPoints).where(orphans, or_(MemberPoints.balance != 0, MemberPoints.lifetime != 0))
        .values(balance=0, lifetime=0, updated_at=now).execution_options(synchronize_session=False)).rowcount or 0
    if drifted:
        log.warning("points: %d member balance(s) drifted from the ledger; repaired", drifted)
    repaired = ranks.repair(session, now)  # after the balances: the ranks follow the repaired totals
    if repaired:
        log.warning("points: %d member rank(s) differed from their lifetime total; repaired", repaired)
    return Recount(drifted, repaired)


def apply_expiry(session: Session, now: datetime) -> int:
    """Expire the unspent points of every grant whose time has come and that was not taken back: one
    INSERT ... SELECT of compensating rows (ON CONFLICT on `expire:<grant id>` keeps it once), then the
    balances. Returns the points expired."""
    grant = aliased(PointEntry)
    settled = aliased(PointEntry)
    key = literal("expire:", String) + cast(grant.id, String)
    source = select(grant.member_id, key, literal(EntryKind.EXPIRY, String), -grant.amount, grant.id,
                    grant.action_id, grant.action_kind, literal("有効期限切れ", String),
                    literal(now, PointEntry.created_at.type)).where(
        grant.kind == EntryKind.GRANT, grant.amount > 0, grant.expires_at <= now,
        ~select(settled.id).where(settled.source_entry_id == grant.id,
                                  settled.kind.in_((EntryKind.EXPIRY, EntryKind.REVERSAL))).exists())
    table = PointEntry.__table__
    stmt = insert_ignoring_conflicts(session, table, ["key"]).from_select(
        ["member_id", "key", "kind", "amount", "source_entry_id", "action_id", "action_kind", "reason",
         "created_at"], source).returning(table.c.member_id, table.c.amount)
    deltas: dict[int, tuple[int, int]] = {}
    total = 0
    for member_id, amount in session.execute(stmt):
        b, lt = deltas.get(member_id, (0, 0))
        deltas[member_id] = (b + amount, lt)
        total -= amount
    ledger.add_to_balances(session, deltas, now)
    return total

