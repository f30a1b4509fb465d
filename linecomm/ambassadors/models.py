"""Appointments: the owner's candidate rules (one row), each appointment (at most one active per member and
role, by a partial UNIQUE index), and every hide-pending-review a member-moderator made (their daily limit
is a UNIQUE slot per JST day, so it holds in the database even under concurrent taps)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class AppointmentRole:
    AMBASSADOR = "ambassador"  # 公認アンバサダー
    MEMBER_MODERATOR = "member_moderator"  # コミュニティモデレーター

    ALL = ("ambassador", "member_moderator")


class CandidateRules(Base):
    """What makes a member a candidate, and the member-moderators' daily limit (one row, id 1)."""

    __tablename__ = "appointment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_lifetime_points: Mapped[int] = mapped_column(Integer, default=0)
    required_badges: Mapped[str] = mapped_column(String(200), default="")  # codes, comma-separated; any of
    min_active_months: Mapped[int] = mapped_column(Integer, default=0)
    active_window_months: Mapped[int] = mapped_column(Integer, default=6)  # the recent months counted
    no_sanctions: Mapped[bool] = mapped_column(Boolean, default=True)
    moderator_daily_limit: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(254))


class Appointment(Base):
    """A member appointed to a role by the owner; `ended_at` set when revoked (the row stays as history)."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("uq_appointments_active_member_role", "member_id", "role", unique=True,
              postgresql_where=text("ended_at IS NULL"), sqlite_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    appointed_by: Mapped[str] = mapped_column(String(254))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(254))
    end_reason: Mapped[str | None] = mapped_column(String(200))


class ModeratorHide(Base):
    """One reported item a member-moderator hid pending review. `slot` is 1..the day's limit: UNIQUE per
    moderator and JST day, so the limit holds whatever the concurrency; one member-moderator hide per item."""

    __tablename__ = "moderator_hides"
    __table_args__ = (
        UniqueConstraint("member_id", "jst_day", "slot"),
        UniqueConstraint("content_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    jst_day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD in Asia/Tokyo
    slot: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
