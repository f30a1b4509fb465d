"""What marketers see of referrals: totals, top referrers, the latest attributed joins (set-based reads)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from linecomm.members.models import Member
from linecomm.referrals.models import ArrivalOutcome, Referral, ReferralArrival, ReferralShare


@dataclass(frozen=True)
class Totals:
    shares: int  # invite messages sent through the share target picker
    sharing_members: int
    arrivals: int  # newcomers who accepted an invite link
    pending: int  # of those, not joined yet
    joins: int  # joins attributed to a referrer
    not_counted: int  # joined through a link, not counted (referrer gone, self, loop)


@dataclass(frozen=True)
class TopReferrer:
    member_id: int
    nickname: str | None
    status: str
    joins: int
    arrivals: int
    shares: int


@dataclass(frozen=True)
class RecentReferral:
    referrer_id: int
    referrer_nickname: str | None
    referred_id: int
    referred_nickname: str | None
    attributed_at: datetime


def _count(session: Session, stmt: object) -> int:
    return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]


def totals(session: Session) -> Totals:
    settled = ReferralArrival.settled_at.is_not(None)
    return Totals(
        shares=_count(session, select(func.count()).select_from(ReferralShare)),
        sharing_members=_count(session, select(func.count(func.distinct(ReferralShare.member_id)))),
        arrivals=_count(session, select(func.count()).select_from(ReferralArrival)),
        pending=_count(session, select(func.count()).where(ReferralArrival.settled_at.is_(None))),
        joins=_count(session, select(func.count()).select_from(Referral)),
        not_counted=_count(session, select(func.count()).where(
            settled, ReferralArrival.outcome.not_in([ArrivalOutcome.ATTRIBUTED, ArrivalOutcome.ALREADY]))),
    )


def top_referrers(session: Session, limit: int = 20) -> list[TopReferrer]:
    joins = (select(Referral.referrer_member_id.label("mid"), func.count().label("n"))
             .group_by(Referral.referrer_member_id).subquery())
    arrivals = (select(ReferralArrival.referrer_member_id.label("mid"), func.count().label("n"))
                .group_by(ReferralArrival.referrer_member_id).subquery())
    shares = (select(ReferralShare.member_id.label("mid"), func.count().label("n"))
              .group_by(ReferralShare.member_id).subquery())
    n_joins = func.coalesce(joins.c.n, 0)
    n_arrivals = func.coalesce(arrivals.c.n, 0)
    n_shares = func.coalesce(shares.c.n, 0)
    rows = session.execute(
        select(Member.id, Member.nickname, Member.status, n_joins, n_arrivals, n_shares)
        .outerjoin(joins, joins.c.mid == Member.id)
        .outerjoin(arrivals, arrivals.c.mid == Member.id)
        .outerjoin(shares, shares.c.mid == Member.id)
        .where((joins.c.mid.is_not(None)) | (arrivals.c.mid.is_not(None)) | (shares.c.mid.is_not(None)))
        .order_by(n_joins.desc(), n_arrivals.desc(), n_shares.desc(), Member.id)
        .limit(limit)
    )
    return [TopReferrer(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in rows]


def recent(session: Session, limit: int = 50) -> list[RecentReferral]:
    referrer, referred = aliased(Member), aliased(Member)
    rows = session.execute(
        select(referrer.id, referrer.nickname, referred.id, referred.nickname, Referral.attributed_at)
        .join(referrer, referrer.id == Referral.referrer_member_id)
        .join(referred, referred.id == Referral.referred_member_id)
        .order_by(Referral.attributed_at.desc(), Referral.id.desc()).limit(limit)
    )
    return [RecentReferral(*row) for row in rows]
