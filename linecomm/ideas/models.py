"""Ideas (共創): members' ideas, the members who support them, comments, the brand's official answers
and the thresholds an idea must reach in its window.

An idea's text (title and description) and each comment are content items of the moderation core; members
see an idea or comment only while its item is published and not redacted, so a hidden one disappears
everywhere. The counters on `ideas` (`support_count`, `comment_count`, `momentum`) are changed in the same
transaction as the rows they count; `momentum` (supports in the last 7 Japan-time days) is also recomputed
once per Japan-time day by the ideas pass (linecomm.ideas.jobs), which is when old supports leave it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class IdeaStage:
    OPEN = "open"  # 募集中: gathering supporters within its window
    REVIEW = "review"  # 検討中: reached its threshold (or moved by a marketer); the brand is considering it
    ADOPTED = "adopted"  # 採用
    DECLINED = "declined"  # 見送り
    EXPIRED = "expired"  # 期限切れ: its window ended before it reached the threshold

    ALL = (OPEN, REVIEW, ADOPTED, DECLINED, EXPIRED)
    SUPPORTABLE = (OPEN, REVIEW)
    SET_BY_STAFF = (REVIEW, ADOPTED, DECLINED)


class Idea(Base):
    __tablename__ = "ideas"
    __table_args__ = (
        Index("ix_ideas_support_count_id", "support_count", "id"),
        Index("ix_ideas_momentum_id", "momentum", "id"),
        Index("ix_ideas_stage_id", "stage", "id"),
        Index("ix_ideas_stage_support_count_id", "stage", "support_count", "id"),
        Index("ix_ideas_stage_momentum_id", "stage", "momentum", "id"),
        # A category filter with each sort (a category's ideas need not be among the first by the sort).
        Index("ix_ideas_category_id", "category", "id"),
        Index("ix_ideas_category_support_count_id", "category", "support_count", "id"),
        Index("ix_ideas_category_momentum_id", "category", "momentum", "id"),
        # Both filters: the planner cannot tell that a stage's top ideas may all be of other categories.
        Index("ix_ideas_stage_category_id", "stage", "category", "id"),
        Index("ix_ideas_stage_category_support_count_id", "stage", "category", "support_count", "id"),
        Index("ix_ideas_stage_category_momentum_id", "stage", "category", "momentum", "id"),
        Index("ix_ideas_member_id_id", "member_id", "id"),
        Index("ix_ideas_stage_window_ends_at", "stage", "window_ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    content_id: Mapped[int] = mapped_column(ForeignKey("content_items.id"), unique=True)
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    photo_id: Mapped[str | None] = mapped_column(ForeignKey("uploaded_photos.id", ondelete="SET NULL"))  # uploads
    stage: Mapped[str] = mapped_column(String(16), default=IdeaStage.OPEN)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    momentum: Mapped[int] = mapped_column(Integer, default=0)  # supports in the last 7 Japan-time days
    # The threshold and window in force when the idea was published (a later change applies to new ideas).
    threshold: Mapped[int] = mapped_column(Integer)
    window_days: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first seen published
    window_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a Japan-time midnight
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # reached its threshold
    author_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the author was told it reached
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stage_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdeaSupport(Base):
    """One member supporting one idea (at most once: the constraint is the guarantee); withdrawn = deleted."""

    __tablename__ = "idea_supports"
    __table_args__ = (
        UniqueConstraint("idea_id", "member_id"),
        Index("ix_idea_supports_member_id", "member_id"),
        Index("ix_idea_supports_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdeaComment(Base):
    __tablename__ = "idea_comments"
    __table_args__ = (Index("ix_idea_comments_idea_id_id", "idea_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_items.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdeaAnswer(Base):
    """The brand's official answer when a marketer changed an idea's stage, sent to its author and
    supporters by the delivery engine (linecomm.ideas.deliveries)."""

    __tablename__ = "idea_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(String(1000))
    messages: Mapped[str] = mapped_column(Text)  # JSON: the LINE messages, frozen when made
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("push_deliveries.id"), unique=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # mirrors the delivery's status
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdeaSettings(Base):
    """The support threshold and its window (one row, id 1), and the last Japan-time day momentum was
    recomputed."""

    __tablename__ = "idea_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[int] = mapped_column(Integer, default=100)
    window_days: Mapped[int] = mapped_column(Integer, default=60)
    momentum_day: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(200))
