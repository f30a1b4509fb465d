"""Ranks' table: the ladder marketers set (versioned like the point rules: a change adds a version, never
edits one in place). A member's current rank and the highest rank announced to them live on
`member_points` (linecomm.points.models.MemberPoints.rank_level / rank_announced)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class PointRank(Base):
    """One step of one version of the ladder: level 0 is the first rank (threshold 0), then upwards."""

    __tablename__ = "point_ranks"
    __table_args__ = (UniqueConstraint("version", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... (0 is the built-in default ladder)
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int] = mapped_column(Integer)  # lifetime points from which the rank holds
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RankMenuSetting(Base):
    """From which rank members see the ranked rich menu (one row; absent or NULL: nobody)."""

    __tablename__ = "rank_menu_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_level: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
