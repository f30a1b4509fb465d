"""Theme posts (what the brand posts to its members, delivered by linecomm.pushes) and what members do
with them in chat: answers (community posts under moderation), poll votes and reactions, and the images
members send as answers.

An answer's text and moderation state live in the moderation core (`content_items`, kind theme_reply,
ref "theme:<post id>"); an answer row ties that item to the post and the member, and carries what only
themes need: the LINE message it came from, an image reference, and whether staff featured it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow
from linecomm.pushes.models import QuotaPolicy


class PostStatus:
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # waiting for its time (a recurring post stays here between occurrences)
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"
    EDITABLE = (DRAFT, SCHEDULED)


class AnswerMode:
    """How many answers a member may give to one theme post while its window is open."""

    SINGLE = "single"  # one per member; a later message is politely declined
    MULTIPLE = "multiple"  # every message is stored as an answer
    ALL = (SINGLE, MULTIPLE)


class ThemePost(Base):
    """What the brand posts to its members: text, an optional image, optional reaction or poll buttons,
    an answer window, a target segment and a schedule (once, now, weekly or monthly)."""

    __tablename__ = "theme_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2000))
    choice_kind: Mapped[str | None] = mapped_column(String(16))  # "reactions" | "poll"
    choices: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{"key": ..., "label": ...}]
    answers_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answers_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_mode: Mapped[str] = mapped_column(String(16), default=AnswerMode.MULTIPLE,
                                             server_default=AnswerMode.MULTIPLE)
    segment: Mapped[str] = mapped_column(Text, default="{}")  # JSON, see linecomm.pushes.segments
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.DRAFT, index=True)
    schedule_kind: Mapped[str | None] = mapped_column(String(16))  # once | weekly | monthly
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # once: the time asked for
    weekday: Mapped[int | None] = mapped_column(Integer)  # weekly: 0 = Monday
    day_of_month: Mapped[int | None] = mapped_column(Integer)  # monthly: 1..31 (31 = the last day)
    time_of_day: Mapped[str | None] = mapped_column(String(5))  # recurring: "HH:MM" Japan time
    next_occurrence_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # as scheduled
    next_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)  # after quiet hours
    quota_policy: Mapped[str] = mapped_column(String(16), default=QuotaPolicy.REFUSE)
    batch_size: Mapped[int | None] = mapped_column(Integer)
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnswerKind:
    TEXT = "text"
    IMAGE = "image"


class ImageStatus:
    PENDING = "pending"  # the message id is stored; the bytes are not fetched from LINE yet
    STORED = "stored"
    GONE = "gone"  # LINE no longer has it (or refused it): only the reference remains


class ThemeAnswer(Base):
    """One member message taken as an answer to a theme post."""

    __tablename__ = "theme_answers"
    __table_args__ = (Index("ix_theme_answers_post_id_id", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("theme_posts.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    line_message_id: Mapped[str] = mapped_column(String(32), unique=True)  # a redelivered event adds nothing
    image_status: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    featured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    featured_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    quoted_in_post_id: Mapped[int | None] = mapped_column(ForeignKey("theme_posts.id", ondelete="SET NULL"))


class AnswerImage(Base):
    """The bytes of an image answer, fetched from LINE once (LINE keeps message content only for a while)."""

    __tablename__ = "theme_answer_images"

    answer_id: Mapped[int] = mapped_column(ForeignKey("theme_answers.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ThemeVote(Base):
    """A member's vote in a theme post's poll: one per member and post; tapping another option moves it."""

    __tablename__ = "theme_votes"
    __table_args__ = (UniqueConstraint("post_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("theme_posts.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    option_key: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ThemeReaction(Base):
    """A member's reaction to a theme post: each reaction counts once per member."""

    __tablename__ = "theme_reactions"
    __table_args__ = (UniqueConstraint("post_id", "member_id", "reaction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("theme_posts.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    reaction: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
