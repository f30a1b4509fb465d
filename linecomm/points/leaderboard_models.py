"""Leaderboards' tables: each member's points per JST month (kept by the balance seam in the ledger's
transaction, so PostgreSQL is the truth the Redis boards are rebuilt from) and whether a member shows on
the boards. The all-time board reads `member_points.lifetime`, ranked through the index declared here.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow
from linecomm.points.models import MemberPoints


class MonthlyPoints(Base):
    """Points a member earned in one JST month: the lifetime part of every ledger entry dated that month
    (grants, hand grants and deductions, reversals; expiries do not count)."""

    __tablename__ = "leaderboard_monthly_points"
    __table_args__ = (Index("ix_leaderboard_monthly_points_month_points", "month", "points"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # JST, "2026-12"
    points: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LeaderboardPreference(Base):
    """A member who chose not to appear on the boards (they still see their own position)."""

    __tablename__ = "leaderboard_preferences"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The all-time board without Redis ranks by lifetime (COUNT of members above + 1, ORDER BY ... LIMIT).
LIFETIME_INDEX = Index("ix_member_points_lifetime", MemberPoints.__table__.c.lifetime)
