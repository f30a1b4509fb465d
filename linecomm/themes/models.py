"""What members do with a theme post in chat: answers (community posts under moderation), poll votes and
reactions, and the images members send as answers.

An answer's text and moderation state live in the moderation core (`content_items`, kind theme_reply,
ref "theme:<post id>"); an answer row ties that item to the post and the member, and carries what only
themes need: the LINE message it came from, an image reference, and whether staff featured it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


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
