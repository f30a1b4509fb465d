"""When theme posts go out: schedule a post (now, at a time, weekly, monthly) against the quota and the
quiet hours, and open the delivery of each occurrence when its time has come (the push scheduler asks,
through linecomm.themes.deliveries).

Entry points pass in what LINE said about the quota (they call LINE, not the service), commit, and then
wake the scheduler at `ScheduleResult.starts_at` (linecomm.pushes.jobs.wake_scheduler).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.db import dialect_name, utcnow
from linecomm.line.client import Quota
from linecomm.pushes import copy
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import QuotaRefused
from linecomm.pushes.models import Delivery, DeliveryKind, DeliveryStatus, QuotaPolicy
from linecomm.pushes.occurrences import open_delivery
from linecomm.pushes.schedule import QuietHours, ScheduleError, next_monthly, next_weekly, parse_time_of_day
from linecomm.pushes.segments import Segment
from linecomm.pushes.service import CostCheck, cost_check
from linecomm.themes.content import post_messages
from linecomm.themes.models import PostStatus, ThemePost
from linecomm.themes.posts import check_editable, get_post, sending_notes

SCHEDULE_KINDS = ("now", "once", "weekly", "monthly")


@dataclass(frozen=True)
class SendPlan:
    """When: "now", "once" (`at`), "weekly" (`weekday` 0=Mon) or "monthly" (`day_of_month`), the
    latter two at `time_of_day` ("HH:MM", Japan time)."""

    kind: str
    at: datetime | None = None
    weekday: int | None = None
    day_of_month: int | None = None
    time_of_day: str | None = None
    allow_partial: bool = False  # over the quota: send to as many as it allows
    batch_size: int | None = None


@dataclass(frozen=True)
class ScheduleResult:
    post_id: int
    requested_at: datetime
    starts_at: datetime
    cost: CostCheck
    notes: list[str]


def following_occurrence(post: ThemePost, after: datetime) -> datetime | None:
    """A recurring post's next occurrence strictly after `after` (None for a one-off post)."""
    if post.schedule_kind == "weekly" and post.weekday is not None and post.time_of_day:
        return next_weekly(after, post.weekday, parse_time_of_day(post.time_of_day))
    if post.schedule_kind == "monthly" and post.day_of_month is not None and post.time_of_day:
        return next_monthly(after, post.day_of_month, parse_time_of_day(post.time_of_day))
    return None


def _first_occurrence(plan: SendPlan, now: datetime) -> datetime:
    if plan.kind == "now":
        return now
    if plan.kind == "once":
        if plan.at is None:
            raise ScheduleError("配信日時を指定してください。")
        if plan.at < now - timedelta(minutes=1):
            raise ScheduleError("過去の日時には予約できません。")
        return max(plan.at, now)
    if plan.time_of_day is None:
        raise ScheduleError("繰り返し配信の時刻を指定してください。")
    parse_time_of_day(plan.time_of_day)
    probe = ThemePost(schedule_kind=plan.kind, weekday=plan.weekday, day_of_month=plan.day_of_month,
                      time_of_day=plan.time_of_day)
    if plan.kind == "weekly" and not (plan.weekday is not None and 0 <= plan.weekday <= 6):
        raise ScheduleError("毎週配信する曜日を指定してください。")
    if plan.kind == "monthly" and not (plan.day_of_month is not None and 1 <= plan.day_of_month <= 31):
        raise ScheduleError("毎月配信する日は1〜31日で指定してください（31日は月末として扱います）。")
    occurrence = following_occurrence(probe, now - timedelta(seconds=1))
    assert occurrence is not None
    return occurrence


def schedule_post(session: Session, post_id: int, plan: SendPlan, quota: Quota,
                  now: datetime | None = None) -> ScheduleResult:
    """Schedule a draft (or re-schedule a scheduled post): quiet hours move the start to their end; a
    send over the quota is refused (QuotaRefused) unless `plan.allow_partial`."""
    if plan.kind not in SCHEDULE_KINDS:
        raise ScheduleError("配信タイミングは now / once / weekly / monthly のいずれかです。")
    if plan.batch_size is not None and not 1 <= plan.batch_size <= 500:
        raise ScheduleError("1回の送信人数は1〜500人です。")
    now = now or utcnow()
    post = get_post(session, post_id, lock=True)
    check_editable(post)
    policy = policies.current(session)
    quiet = policies.quiet_hours(policy)
    occurrence = _first_occurrence(plan, now)
    starts = quiet.release(occurrence)
    cost = cost_check(session, Segment.from_json(post.segment), quota, policy.weekly_cap, now, starts)
    notes = []
    if not cost.fits:
        assert cost.quota_remaining is not None
        if not plan.allow_partial:
            raise QuotaRefused(copy.over_quota(cost.audience.billable, cost.quota_remaining))
        if cost.quota_remaining == 0:
            raise QuotaRefused(copy.quota_exhausted())
        notes.append(copy.partial_send(cost.sendable, cost.audience.billable))
    if starts != occurrence:
        notes.append(copy.quiet_hours_moved(occurrence, starts, quiet.label()))
    notes.extend(sending_notes(post, cost, policy.weekly_cap))
    post.schedule_kind = "once" if plan.kind in ("now", "once") else plan.kind
    post.send_at = occurrence if post.schedule_kind == "once" else None
    post.weekday, post.day_of_month = plan.weekday, plan.day_of_month
    post.time_of_day = plan.time_of_day if post.schedule_kind != "once" else None
    post.next_occurrence_at, post.next_send_at = occurrence, starts
    post.quota_policy = QuotaPolicy.PARTIAL if plan.allow_partial else QuotaPolicy.REFUSE
    post.batch_size = plan.batch_size
    post.status, post.updated_at = PostStatus.SCHEDULED, now
    return ScheduleResult(post.id, occurrence, starts, cost, notes)


def open_post(session: Session, post: ThemePost, quiet: QuietHours, weekly_cap: int, batch_size: int,
              now: datetime) -> Delivery | None:
    """Open the delivery of a due post's current occurrence and move the post to its next one."""
    occurrence = post.next_occurrence_at or now
    delivery = open_delivery(session, Delivery(
        kind=DeliveryKind.POST, post_id=post.id, occurrence_key=f"post:{post.id}:{occurrence.isoformat()}",
        status=DeliveryStatus.STARTING, messages=json.dumps(post_messages(post), ensure_ascii=False),
        segment=post.segment, quota_policy=post.quota_policy, weekly_cap=weekly_cap,
        batch_size=post.batch_size or batch_size, scheduled_for=occurrence, not_before=post.next_send_at or now,
        created_at=now,
    ))
    following = following_occurrence(post, max(occurrence, now))
    if following is None:
        post.status, post.next_occurrence_at, post.next_send_at = PostStatus.SENDING, None, None
    else:
        post.next_occurrence_at, post.next_send_at = following, quiet.release(following)
    return delivery


def open_due_posts(session: Session, now: datetime, quiet: QuietHours, weekly_cap: int,
                   batch_size: int) -> list[int]:
    """Open the deliveries of scheduled posts whose time (after quiet hours) has come; their ids."""
    posts = (
        select(ThemePost)
        .where(ThemePost.status == PostStatus.SCHEDULED, ThemePost.next_send_at <= now)
        .order_by(ThemePost.next_send_at)
        .limit(100)
    )
    if dialect_name(session) == "postgresql":
        posts = posts.with_for_update(skip_locked=True)
    opened = []
    for post in session.scalars(posts).all():
        delivery = open_post(session, post, quiet, weekly_cap, batch_size, now)
        if delivery is not None:
            opened.append(delivery.id)
    return opened


def next_post_at(session: Session) -> datetime | None:
    """When the next scheduled post becomes due."""
    return session.scalar(select(func.min(ThemePost.next_send_at)).where(ThemePost.status == PostStatus.SCHEDULED))


def move_out_of_quiet_hours(session: Session, quiet: QuietHours) -> None:
    """The quiet hours changed: scheduled posts start at the end of the new ones, if they fall in them."""
    for post in session.scalars(select(ThemePost).where(ThemePost.status == PostStatus.SCHEDULED)):
        if post.next_occurrence_at is not None:
            post.next_send_at = quiet.release(post.next_occurrence_at)
