"""Badges: the catalogue (built-in declarative badges, written here the first time they are needed and then
editable by marketers; title badges other features award; manual badges marketers create) and the badges
members hold, each once: UNIQUE(member_id, badge_id), inserted with ON CONFLICT DO NOTHING.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class BadgeKind:
    COUNT = "count"  # N non-withdrawn actions of one kind (granted in the action's transaction)
    STREAK = "streak"  # an action in each of N consecutive JST months (granted by the periodic pass)
    TITLE = "title"  # a title another feature awards by code (公認アンバサダー, コミュニティモデレーター)
    MANUAL = "manual"  # made and awarded by marketers in the console


class Badge(Base):
    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # `first_review`, `ambassador`, `m-1a2b3c4d`
    kind: Mapped[str] = mapped_column(String(16))  # BadgeKind
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200), default="")
    emoji: Mapped[str | None] = mapped_column(String(16))
    colour: Mapped[str | None] = mapped_column(String(7))  # "#RRGGBB"
    action_kind: Mapped[str | None] = mapped_column(String(32))  # COUNT: linecomm.actions.service.ActionKind
    threshold: Mapped[int | None] = mapped_column(Integer)  # COUNT: actions; STREAK: months
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order members see
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberBadge(Base):
    """A badge a member holds. Revoking keeps the row (revoked_at): the periodic pass never grants a revoked
    badge again; only a marketer's award (or the owning feature's, for titles) restores it."""

    __tablename__ = "member_badges"
    __table_args__ = (UniqueConstraint("member_id", "badge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by: Mapped[str | None] = mapped_column(String(200))  # staff email or feature; None: a rule
    reason: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))


class BadgeJobState(Base):
    """When the periodic badge pass last ran (one row)."""

    __tablename__ = "badge_job_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_granted: Mapped[int] = mapped_column(Integer, default=0)
