"""The console home page's numbers: members, joins this week and answers today (weeks and days in Japan
time), and the next scheduled theme post. Read-only: a few aggregate queries, nothing is changed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.members.models import Member, MemberStatus
from linecomm.themes.models import PostStatus, ThemeAnswer, ThemePost
from linecomm.timezones import JST

IN_COMMUNITY = (MemberStatus.MEMBER, MemberStatus.SUSPENDED)  # suspended members are still members


@dataclass(frozen=True)
class NextSend:
    post_id: int
    title: str
    at: datetime


@dataclass(frozen=True)
class DailyNumbers:
    members: int
    joined_this_week: int  # since Monday 00:00 JST
    answers_today: int  # since 00:00 JST
    next_send: NextSend | None


def day_start(now: datetime) -> datetime:
    """Midnight (Japan time) of `now`'s day in Japan, as an aware datetime."""
    return datetime.combine(now.astimezone(JST).date(), time(0), tzinfo=JST)


def week_start(now: datetime) -> datetime:
    """Monday 00:00 (Japan time) of `now`'s week in Japan."""
    today = day_start(now)
    return today - timedelta(days=today.weekday())


def daily_numbers(session: Session, now: datetime) -> DailyNumbers:
    members = session.scalar(select(func.count()).select_from(Member).where(Member.status.in_(IN_COMMUNITY)))
    joined = session.scalar(select(func.count()).select_from(Member).where(Member.joined_at >= week_start(now)))
    answers = session.scalar(select(func.count()).select_from(ThemeAnswer)
                             .where(ThemeAnswer.created_at >= day_start(now)))
    row = session.execute(
        select(ThemePost.id, ThemePost.title, ThemePost.next_send_at)
        .where(ThemePost.status == PostStatus.SCHEDULED, ThemePost.next_send_at.is_not(None))
        .order_by(ThemePost.next_send_at, ThemePost.id).limit(1)
    ).first()
    return DailyNumbers(int(members or 0), int(joined or 0), int(answers or 0),
                        NextSend(row[0], row[1], row[2]) if row else None)
