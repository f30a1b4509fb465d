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
    __tablename__ = "point_entries"
    # Partial indexes: most rows have no expiry, no action (hand grants) and settle nothing, so bulk
    # inserts skip them.
    __table_args__ = (
        Index("ix_point_entries_member_created", "member_id", "created_at"),
        Index("ix_point_entries_expires_at", "expires_at", postgresql_where=text("expires_at IS NOT NULL"),
              sqlite_where=text("expires_at IS NOT NULL")),
        Index("ix_point_entries_action_id", "action_id", postgresql_where=text("action_id IS NOT NULL"),
              sqlite_where=text("action_id IS NOT NULL")),
        Index("ix_point_entries_source_entry_id", "source_entry_id",
              postgresql_where=text("source_entry_id IS NOT NULL"), sqlite_where=text("source_entry_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120), unique=True)  # `action:12`, `reverse:12:0`, `manual:<uuid>:7`
    kind: Mapped[str] = mapped_column(String(16))  # EntryKind
    amount: Mapped[int] = mapped_column(Integer)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("member_actions.id", ondelete="SET NULL"))
    action_kind: Mapped[str | None] = mapped_column(String(32))
    rule_version: Mapped[int | None] = mapped_column(Integer)  # the rule the grant followed
    # The grant a reversal or an expiry settles.
    source_entry_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("point_entries.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))  # manual entries; reversals say why
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberPoints(Base):
    """The member's balance (every entry), lifetime total (every entry but expiries) and rank."""

    __tablename__ = "member_points"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    lifetime: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The member's rank on the current ladder (linecomm.points.ranks: a level follows the lifetime total)
    # and the highest level ever announced to them, so a rank-up is announced once whatever is replayed.
    rank_level: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rank_announced: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class PointsJobState(Base):
    """When the periodic pass last recomputed balances and applied expiry (one row)."""

    __tablename__ = "points_job_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    recomputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_on: Mapped[str | None] = mapped_column(String(10))  # the JST day expiry last ran, YYYY-MM-DD
    last_drift: Mapped[int] = mapped_column(Integer, default=0)
