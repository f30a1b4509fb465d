"""Staff accounts, their sign-in attempts and their sign-in sessions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class StaffUser(Base):
    """A person who runs the community in the admin console. Never deleted: disabled instead, so the
    audit log keeps pointing at someone."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginOutcome:
    SUCCESS = "success"
    FAILURE = "failure"
    UNLOCK = "unlock"  # an owner lifted an account lock


class LoginAttempt(Base):
    """One sign-in attempt (or an unlock), by e-mail address and network address: the throttle counts
    these rows, so it holds across processes and restarts."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StaffSession(Base):
    """One sign-in of a staff member in one browser. The browser's cookie holds a random token; only its
    SHA-256 is stored, so a copy of this table opens no session. A row stops working when revoked (logout,
    "sign out everywhere", a password, role or active change) or after the idle and absolute timeouts."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_staff_id_revoked_at", "staff_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the cookie's token
    user_agent: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(64))  # where the sign-in came from
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
