"""Referral codes, newcomers who arrived through an invite link, the joins attributed to a referrer, and
the invite messages members shared."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class ReferralCode(Base):
    """A member's personal referral code (random, unguessable), made the first time they open their invite page."""

    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ArrivalOutcome:
    """What became of an arrival when the newcomer first joined."""

    ATTRIBUTED = "attributed"
    REFERRER_INACTIVE = "referrer_inactive"  # the referrer had left or was suspended by then
    SELF = "self"
    LOOP = "loop"
    ALREADY = "already"  # the member was attributed before (a redelivered event, a re-join)


class ReferralArrival(Base):
    """A LINE user (not yet a member) who opened a member's invite link and accepted it on the LIFF page.
    Keyed by LINE user id: the newcomer may not even follow the account yet, so has no member row. The
    first link accepted counts; it is settled once, when that user first completes the join."""

    __tablename__ = "referral_arrivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    referrer_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20))


class Referral(Base):
    """A join attributed to a referrer: at most one per referred member (the database guarantees it)."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    referrer_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    referred_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    attributed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ReferralShare(Base):
    """A member sent their invite through LINE's share target picker (the picker reported success)."""

    __tablename__ = "referral_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


Index("ix_referral_shares_member_id_at", ReferralShare.member_id, ReferralShare.shared_at)
