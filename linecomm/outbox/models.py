"""Outgoing messages, each stored with its retry key before the first attempt."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class OutboundStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the recipient unfollowed before it went out


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    to: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    messages: Mapped[str] = mapped_column(Text)  # JSON list of LINE message objects
    reply_token: Mapped[str | None] = mapped_column(String(255))
    reply_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboundStatus.PENDING)
    sent_via: Mapped[str | None] = mapped_column(String(8))  # reply | push
    reply_attempted: Mapped[bool] = mapped_column(default=False)  # a reply may have reached LINE
    claim_token: Mapped[str | None] = mapped_column(String(36))  # the sender working on it (see outbox.sending)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # no other sender takes it until then
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    line_request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A notice pushed outside a delivery (an answer to my question) waits for quiet hours to end: no sender
    # claims it before this time; the sweeper sends it once it has passed.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
