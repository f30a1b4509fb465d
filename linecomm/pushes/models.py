"""Deliveries (a frozen recipient list cut into multicast batches) of what features send (theme posts and
test sends, linecomm.themes.models; step messages for new members, here), and the marketer's courtesy
policy (quiet hours, weekly cap) and test recipients."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from linecomm.db import Base, UTCDateTime, utcnow


class DeliveryStatus:
    STARTING = "starting"  # created; the recipient list is not frozen yet
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"
    FINISHED = (SENT, CANCELLED, FAILED)


class DeliveryKind:
    POST = "post"
    STEP = "step"
    TEST = "test"  # to staff members' own LINE accounts: no cap, no quiet hours, not counted


class BatchStatus:
    PENDING = "pending"  # not sent yet (possibly claimed by a worker: see lease_expires_at)
    SENT = "sent"  # LINE accepted it (200, or 409: accepted earlier under the same retry key)
    SKIPPED = "skipped"  # every recipient unfollowed or left before it went out
    FAILED = "failed"
    CANCELLED = "cancelled"


class QuotaPolicy:
    REFUSE = "refuse"  # more recipients than the month's remaining quota: send nothing
    PARTIAL = "partial"  # send to as many as the quota allows (the marketer chose this explicitly)
    ALL = (REFUSE, PARTIAL)


class MemberIdList(TypeDecorator[list[int]]):
    """A batch's frozen recipients: an integer array on PostgreSQL, a JSON array on SQLite."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Integer))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: list[int] | None, dialect: Any) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return json.dumps(value)

    def process_result_value(self, value: Any, dialect: Any) -> list[int] | None:
        if value is None or dialect.name == "postgresql":
            return value
        return json.loads(value)


class StepMessage(Base):
    """A message every new member gets `days_after_join` days after joining, at `time_of_day` (JST)."""

    __tablename__ = "push_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    days_after_join: Mapped[int] = mapped_column(Integer)
    time_of_day: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2000))
    quota_policy: Mapped[str] = mapped_column(String(16), default=QuotaPolicy.REFUSE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # members joining since
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StepSkip(Base):
    """A member a step message left out for good: they had reached the weekly cap when their run went.
    One row per member and step (UNIQUE), so a later run neither sends the step nor counts them again."""

    __tablename__ = "push_step_skips"
    __table_args__ = (UniqueConstraint("step_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("push_steps.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("push_deliveries.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16), default="weekly_cap")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Delivery(Base):
    """One send of a post (or of a step, or a test send): its frozen messages and counts. `kind` names
    its owner (linecomm.pushes.owners); `post_id` or `step_id` the message it sends. Each
    occurrence has one row (`occurrence_key` is unique), so a scheduler running twice starts it once."""

    __tablename__ = "push_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("theme_posts.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("push_steps.id", ondelete="CASCADE"), index=True)
    occurrence_key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.STARTING, index=True)
    messages: Mapped[str] = mapped_column(Text)  # JSON: the LINE message objects, frozen at creation
    segment: Mapped[str] = mapped_column(Text, default="{}")
    quota_policy: Mapped[str] = mapped_column(String(16), default=QuotaPolicy.REFUSE)
    weekly_cap: Mapped[int | None] = mapped_column(Integer)  # None: the cap does not apply
    batch_size: Mapped[int] = mapped_column(Integer, default=500)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the occurrence, as planned
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # after quiet hours
    segment_count: Mapped[int | None] = mapped_column(Integer)  # matched the segment when frozen
    over_cap_count: Mapped[int] = mapped_column(Integer, default=0)  # skipped: weekly cap reached
    over_quota_count: Mapped[int] = mapped_column(Integer, default=0)  # left out: monthly quota
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # frozen recipient list
    batch_count: Mapped[int] = mapped_column(Integer, default=0)
    # Set while the members after this id are still to be frozen (linecomm.pushes.freeze); NULL when whole.
    freeze_after_id: Mapped[int | None] = mapped_column(Integer)
    quota_limit: Mapped[int | None] = mapped_column(Integer)
    quota_used: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)  # for the marketer, in Japanese
    requested_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryBatch(Base):
    """Up to 500 recipients sent in one multicast request, with the retry key stored before the first
    attempt. A worker claims a batch by writing `claimed_by` and a lease; when the lease runs out any
    worker may retry it with the same key, and LINE's 409 tells it the first attempt went through."""

    __tablename__ = "push_batches"
    __table_args__ = (
        UniqueConstraint("delivery_id", "batch_no"),
        Index("ix_push_batches_status_finished", "status", "finished_at"),
        # Claims look only at pending batches: without this, the 2,000th claim walks 1,999 sent ones.
        Index("ix_push_batches_pending", "delivery_id", "batch_no",
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("push_deliveries.id", ondelete="CASCADE"))
    batch_no: Mapped[int] = mapped_column(Integer)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    member_ids: Mapped[list[int] | None] = mapped_column(MemberIdList())
    fixed_to: Mapped[str | None] = mapped_column(Text)  # JSON LINE user ids (test sends to staff)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)  # unfollowed or left since frozen
    accepted_before: Mapped[bool] = mapped_column(Boolean, default=False)  # LINE answered 409
    line_request_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)


class PushPolicy(Base):
    """The courtesy rules marketers set (one row): quiet hours in Japan time and the weekly cap."""

    __tablename__ = "push_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiet_start: Mapped[str] = mapped_column(String(5), default="21:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="09:00")
    weekly_cap: Mapped[int] = mapped_column(Integer, default=3)  # pushes per member in any 7 days
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))


class TestRecipient(Base):
    """A staff member's own LINE account that receives test sends before the real one."""

    __tablename__ = "push_test_recipients"
    __test__ = False  # not a pytest class

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
