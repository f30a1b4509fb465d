"""One row per member action (a review published, an idea supported, a best answer ...), recorded once:
`key` is UNIQUE and derived from the action's source (`idea-support:12:34`), so a retried, redelivered or
raced call records nothing twice. Points, badges and KPIs read these rows; no feature reads their tables.
`member_active_months` keeps, beside them, the Japan-time months each member recorded an action in.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class MemberAction(Base):
    __tablename__ = "member_actions"
    __table_args__ = (
        Index("ix_member_actions_member_occurred", "member_id", "occurred_at"),
        Index("ix_member_actions_kind_occurred", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # ActionKind
    key: Mapped[str] = mapped_column(String(120), unique=True)  # the idempotency key, from the source
    ref: Mapped[str | None] = mapped_column(String(120))  # what it was about, e.g. "idea:12"
    # The member content the action made (a review, an answer), when there is one: hiding that content in
    # moderation is how points will know to reverse what the action earned.
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id", ondelete="SET NULL"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # undone by the member (support withdrawn)


class MemberActiveMonth(Base):
    """A JST month ("2026-12") in which the member recorded at least one action: written with the actions
    (linecomm.actions.active_months), never removed by a withdrawal, so month rules read a row per member and
    month instead of scanning every action."""

    __tablename__ = "member_active_months"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
