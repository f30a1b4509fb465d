"""Member content under moderation, its history, reports, sanctions, NG words and the policy."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class ContentState:
    PUBLISHED = "published"  # visible to members
    HELD = "held"  # waits for a moderator's approval
    HIDDEN = "hidden"  # taken down by a moderator, or by reports pending review
    BLOCKED = "blocked"  # refused when submitted (NG word, suspended member); never visible


class ContentKind:
    THEME_REPLY = "theme_reply"
    REVIEW = "review"
    IDEA = "idea"
    COMMENT = "comment"
    SURVEY = "survey"  # a free-text answer to a survey (ref "survey:<id>"): seen by staff only
    QUESTION = "question"  # a member's Q&A question (ref "qa:<question id>")
    ANSWER = "answer"  # a member's answer to a Q&A question (ref "qa:<question id>")


class ReviewReason:
    HELD = "held"  # an NG word with the hold action
    FLAGGED = "flagged"  # an NG word with the flag action: published, reviewed afterwards
    REPORTED = "reported"  # members reported it
    IMAGE = "image"  # a picture, held by the image policy: words cannot screen it
    PERSONAL_DATA = "personal_data"  # a phone number, e-mail address, LINE ID or address: held by the rule
    FARMING = "farming"  # points withheld (a repeated or meaningless post): published, reviewed afterwards


class NgAction:
    BLOCK = "block"
    HOLD = "hold"
    FLAG = "flag"

    ALL = ("block", "hold", "flag")
    STRENGTH = {"flag": 1, "hold": 2, "block": 3}


class ContentItem(Base):
    """One piece of member content (a theme reply, a review, an idea, a comment) and where it stands."""

    __tablename__ = "content_items"
    __table_args__ = (
        Index("ix_content_items_member_id_id", "member_id", "id"),
        Index("ix_content_items_in_queue_id", "in_queue", "id"),
        Index("ix_content_items_kind_ref", "kind", "ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str | None] = mapped_column(String(120))  # what it answers, e.g. "theme:12"
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    in_queue: Mapped[bool] = mapped_column(default=False)
    review_reason: Mapped[str | None] = mapped_column(String(16))
    blocked_reason: Mapped[str | None] = mapped_column(String(16))  # ng_word | suspended | not_member
    ng_action: Mapped[str | None] = mapped_column(String(8))
    ng_terms: Mapped[str | None] = mapped_column(Text)  # JSON list of the NG words that matched
    personal_data: Mapped[str | None] = mapped_column(String(64))  # kinds found, comma-separated: "phone,email"
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # body erased (APPI deletion)


class ContentDecision(Base):
    """The history of one content item: who (a staff member, or the system) moved it where, and when."""

    __tablename__ = "content_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContentReport(Base):
    """A member's report (通報) of a content item; one per member and item."""

    __tablename__ = "content_reports"
    __table_args__ = (UniqueConstraint("content_id", "reporter_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    reporter_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SanctionKind:
    WARN = "warn"
    SUSPEND = "suspend"
    LIFT = "lift"  # a suspension lifted


class MemberSanction(Base):
    """A warning or a suspension given to a member (and suspensions lifted), with the reason told them."""

    __tablename__ = "member_sanctions"
    __table_args__ = (Index("ix_member_sanctions_member_id_id", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NgWord(Base):
    """An NG word and what happens to content containing it. `term_key` is the matching form; `readings`
    (「しね|シネ」 for 死ね) are other spellings matched like the term, separated by |."""

    __tablename__ = "ng_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100))
    term_key: Mapped[str] = mapped_column(String(200), unique=True)
    action: Mapped[str] = mapped_column(String(8))
    readings: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(254))


class ImagePolicy:
    """What happens to member content carrying an image, which the NG-word list cannot screen."""

    HOLD = "hold"  # held for a moderator's approval (the default)
    PUBLISH = "publish"  # published at once; reports can still hide it

    ALL = ("hold", "publish")


class ModerationPolicy(Base):
    """Community-wide moderation settings (one row, id 1), changed by the owner in the console."""

    __tablename__ = "moderation_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_hide_threshold: Mapped[int] = mapped_column(Integer, default=3)
    image_posts: Mapped[str] = mapped_column(String(16), default=ImagePolicy.HOLD, server_default=ImagePolicy.HOLD)
    # The built-in personal-data rule (phone numbers, e-mail addresses, LINE IDs, addresses): on by default.
    hold_personal_data: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
