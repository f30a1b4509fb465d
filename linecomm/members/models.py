"""Members of the LINE account and of the closed community, invite codes and consent records."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class MemberStatus:
    """Where a LINE user stands with the community (following the account is tracked separately)."""

    FOLLOWER = "follower"  # follows the account, has not joined
    JOINING = "joining"  # in the middle of the join flow
    MEMBER = "member"
    LEFT = "left"  # left the community (退会); data kept until deleted
    SUSPENDED = "suspended"
    DELETED = "deleted"  # personal data erased on request (APPI); the row stays for aggregate counts


class JoinStep:
    CODE = "code"
    CONSENT = "consent"
    NICKNAME = "nickname"


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    picture_url: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.FOLLOWER, index=True)
    is_following: Mapped[bool] = mapped_column(Boolean, default=True)
    join_step: Mapped[str | None] = mapped_column(String(16))
    pending_invite_code_id: Mapped[int | None] = mapped_column(ForeignKey("invite_codes.id"))
    invite_code_id: Mapped[int | None] = mapped_column(ForeignKey("invite_codes.id"))
    cohort: Mapped[str | None] = mapped_column(String(100), index=True)
    nickname: Mapped[str | None] = mapped_column(String(40))
    nickname_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    leave_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    followed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unfollowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    profile_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_member(self) -> bool:
        return self.status == MemberStatus.MEMBER


class InviteCode(Base):
    """A code that opens the closed community to one cohort, a limited number of times, until it expires."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    cohort: Mapped[str] = mapped_column(String(100))
    max_uses: Mapped[int] = mapped_column(Integer)
    used_count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))


class InviteRedemption(Base):
    """One member's use of an invite code; a member uses at most one code, so retries never count twice."""

    __tablename__ = "invite_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    invite_code_id: Mapped[int] = mapped_column(ForeignKey("invite_codes.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InviteCodeAttempt(Base):
    """A wrong invite code typed by a member. The throttle counts these rows (per member and across all
    members), so it holds across worker processes and restarts."""

    __tablename__ = "invite_code_attempts"
    __table_args__ = (Index("ix_invite_code_attempts_member_id_at", "member_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Consent(Base):
    """A member's agreement to a version of the privacy notice (APPI): what, when."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("member_id", "notice_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    notice_version: Mapped[str] = mapped_column(String(40))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(16), default="chat")


Index("ix_members_status_joined", Member.status, Member.joined_at)


class Tag(Base):
    """A label marketers put on members; segments for pushes and surveys are built on tags."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(254))


class MemberTag(Base):
    __tablename__ = "member_tags"

    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True)
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Keyset pagination of filtered member lists walks these newest-id-first.
Index("ix_members_status_id", Member.status, Member.id)
Index("ix_members_cohort_id", Member.cohort, Member.id)
