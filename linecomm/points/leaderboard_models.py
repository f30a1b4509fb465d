"""Leaderboards' table: whether a member shows on the boards. The boards read the tallies the ledger keeps
on `member_points` (PostgreSQL is the truth the Redis boards are rebuilt from): the all-time board
`lifetime`, the month's board `month_points` of the current `month_key`. Neither is indexed: with Redis
(production) the boards are read there, and without it (the embedded default, or while a lost board is
rebuilt) a count over `member_points` answers, while every tallies write stays a HOT update.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class LeaderboardPreference(Base):
    """A member who chose not to appear on the boards (they still see their own position)."""

    __tablename__ = "leaderboard_preferences"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
