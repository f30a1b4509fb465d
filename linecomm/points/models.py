"""Points: the rules marketers set per action kind (versioned, never edited in place), the ledger (one row
per grant, reversal, expiry or manual entry, each with a UNIQUE idempotency key from its source; never
deleted) and each member's balance, kept per entry in the same transaction and recomputed by a job.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class EntryKind:
    GRANT = "grant"  # a member action earned points (0 when over the daily cap)
    REVERSAL = "reversal"  # undoes a grant: the action was withdrawn or its content hidden
    EXPIRY = "expiry"  # the unspent part of a grant expired
    MANUAL = "manual"  # a marketer granted (+) or deducted (-) by hand, with a reason


class PointRule(Base):
    """One version of the rule for an action kind; the newest version applies from its creation on."""

    __tablename__ = "point_rules"
    __table_args__ = (UniqueConstraint("action_kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_kind: Mapped[str] = mapped_column(String(32))  # linecomm.actions.service.ActionKind
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per kind (0 is the built-in default)
    amount: Mapped[int] = mapped_column(Integer)
    daily_cap: Mapped[int | None] = mapped_column(Integer)  # points per member per JST day, None: no cap
    expiry_months: Mapped[int | None] = mapped_column(Integer)  # None: never expire
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PointEntry(Base):
    """One row of the ledger. Append-only: rows are never updated (but an erased member's hand-grant reasons)
    nor deleted, and neither are the members, actions or entries they name (an erased member is anonymised,
    not deleted). So the ledger declares no foreign keys: each would check and lock the row it names for
    every entry written, about a fifth of a segment grant's time for a guarantee the writers already give
    (every entry's member, action and source are read in the statement or transaction that writes it)."""

    __tablename__ = "point_entries"
    # Partial indexes: most rows have no expiry, no action (hand grants) and settle nothing, so bulk
    # inserts skip them. A member's entries: by member id alone (B-tree deduplication keeps it about a fifth
    # the size of one on (member, time), which matters when a segment grant touches 100,000 members' leaves),
    # and by (member, time) for actions' entries only, for the daily caps.
    __table_args__ = (
        Index("ix_point_entries_member_id", "member_id"),
        Index("ix_point_entries_member_action_created", "member_id", "created_at",
              postgresql_where=text("action_kind IS NOT NULL"), sqlite_where=text("action_kind IS NOT NULL")),
        Index("ix_point_entries_expires_at", "expires_at", postgresql_where=text("expires_at IS NOT NULL"),
              sqlite_where=text("expires_at IS NOT NULL")),
        Index("ix_point_entries_action_id", "action_id", postgresql_where=text("action_id IS NOT NULL"),
              sqlite_where=text("action_id IS NOT NULL")),
        Index("ix_point_entries_source_entry_id", "source_entry_id",
              postgresql_where=text("source_entry_id IS NOT NULL"), sqlite_where=text("source_entry_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer)  # members.id
    key: Mapped[str] = mapped_column(String(120), unique=True)  # `action:12`, `reverse:12:0`, `manual:<uuid>:7`
    kind: Mapped[str] = mapped_column(String(16))  # EntryKind
    amount: Mapped[int] = mapped_column(Integer)
    action_id: Mapped[int | None] = mapped_column(Integer)  # member_actions.id
    action_kind: Mapped[str | None] = mapped_column(String(32))
    rule_version: Mapped[int | None] = mapped_column(Integer)  # the rule the grant followed
    # The grant a reversal or an expiry settles.
    source_entry_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))  # manual entries; reversals say why
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberPoints(Base):
    """A member's tallies of the ledger, all kept in one write per entry (ledger.tally_upsert): the balance
    (every entry), the lifetime total (every entry but expiries), the points of the current JST month (the
    lifetime part of the entries dated in `month_key`; the monthly leaderboard) and the rank."""

    # On PostgreSQL the table keeps 30 % of each page free (migration 0030: fillfactor 70) and has no index
    # but its key, so each tallies write is a HOT update: no index entry written, no index to vacuum.
    __tablename__ = "member_points"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    lifetime: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The member's rank on the current ladder (linecomm.points.ranks: a level follows the lifetime total)
    # and the highest level ever announced to them, so a rank-up is announced once whatever is replayed.
    rank_level: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rank_announced: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The JST month ("2026-12") `month_points` counts; a row last written in an earlier month holds 0 for now.
    month_key: Mapped[str] = mapped_column(String(7), server_default=text("''"))
    month_points: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class PointsJobState(Base):
    """When the periodic pass last recomputed balances and applied expiry (one row)."""

    __tablename__ = "points_job_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    recomputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_on: Mapped[str | None] = mapped_column(String(10))  # the JST day expiry last ran, YYYY-MM-DD
    last_drift: Mapped[int] = mapped_column(Integer, default=0)
