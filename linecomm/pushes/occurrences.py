"""Opening the deliveries that are due: scheduled posts whose time (after quiet hours) has come, and
today's run of each step message. Each occurrence has a unique key, so two schedulers running at once
(two workers' sweepers, a timer and a sweep) open it once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.db import dialect_name
from linecomm.pushes import policy as policies
from linecomm.pushes import steps
from linecomm.pushes.content import build_messages, choices_from_json
from linecomm.pushes.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    PostStatus,
    StepMessage,
    ThemePost,
)
from linecomm.pushes.schedule import QuietHours, next_monthly, next_weekly, parse_time_of_day
from linecomm.timezones import JST


@dataclass
class Due:
    """What a scheduler pass opened, and when the next one is due (for a timer)."""

    delivery_ids: list[int] = field(default_factory=list)
    wake_at: datetime | None = None


def post_messages(post: ThemePost) -> list[dict[str, object]]:
    return build_messages(post.id, post.text, post.image_url, post.choice_kind, choices_from_json(post.choices))


def following_occurrence(post: ThemePost, after: datetime) -> datetime | None:
    """A recurring post's next occurrence strictly after `after` (None for a one-off post)."""
    if post.schedule_kind == "weekly" and post.weekday is not None and post.time_of_day:
        return next_weekly(after, post.weekday, parse_time_of_day(post.time_of_day))
    if post.schedule_kind == "monthly" and post.day_of_month is not None and post.time_of_day:
        return next_monthly(after, post.day_of_month, parse_time_of_day(post.time_of_day))
    return None


def _add(session: Session, delivery: Delivery) -> Delivery | None:
    try:
        with session.begin_nested():
            session.add(delivery)
            session.flush()
    except IntegrityError:  # another scheduler opened this occurrence first
        return None
    return delivery


def open_post(session: Session, post: ThemePost, quiet: QuietHours, weekly_cap: int, batch_size: int,
              now: datetime) -> Delivery | None:
    """Open the delivery of a due post's current occurrence and move the post to its next one."""
    occurrence = post.next_occurrence_at or now
    delivery = _add(session, Delivery(
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


def open_step(session: Session, step: StepMessage, quiet: QuietHours, weekly_cap: int, batch_size: int,
              now: datetime) -> list[Delivery]:
    """Open yesterday's and today's runs of a step if their time (after quiet hours) has come. Like a
    post, a run skips members who have reached the weekly cap."""
    today = now.astimezone(JST).date()
    opened = []
    for day in (today - timedelta(days=1), today):
        occurrence = steps.occurrence(step, day)
        starts = quiet.release(occurrence)
        if starts > now or occurrence < step.activated_at:  # runs from its first time after switch-on
            continue
        key = steps.occurrence_key(step.id, day)
        if session.scalar(select(Delivery.id).where(Delivery.occurrence_key == key)) is not None:
            continue
        delivery = _add(session, Delivery(
            kind=DeliveryKind.STEP, step_id=step.id, occurrence_key=key, status=DeliveryStatus.STARTING,
            messages=steps.messages_json(step), segment="{}", quota_policy=step.quota_policy, weekly_cap=weekly_cap,
            batch_size=batch_size, scheduled_for=occurrence, not_before=starts, created_at=now,
        ))
        if delivery is not None:
            opened.append(delivery)
    return opened


def open_due(session: Session, now: datetime, batch_size: int) -> Due:
    """Open every delivery due by `now`; the caller commits and then starts them."""
    policy = policies.current(session)
    quiet = policies.quiet_hours(policy)
    due = Due()
    posts = (
        select(ThemePost)
        .where(ThemePost.status == PostStatus.SCHEDULED, ThemePost.next_send_at <= now)
        .order_by(ThemePost.next_send_at)
        .limit(100)
    )
    if dialect_name(session) == "postgresql":
        posts = posts.with_for_update(skip_locked=True)
    for post in session.scalars(posts).all():
        delivery = open_post(session, post, quiet, policy.weekly_cap, batch_size, now)
        if delivery is not None:
            due.delivery_ids.append(delivery.id)
    for step in session.scalars(select(StepMessage).where(StepMessage.active.is_(True))).all():
        due.delivery_ids.extend(d.id for d in open_step(session, step, quiet, policy.weekly_cap, batch_size, now))
    due.wake_at = next_wake(session, quiet, now)
    return due


def next_wake(session: Session, quiet: QuietHours, now: datetime) -> datetime | None:
    """The next moment a post or a step run becomes due."""
    candidates = []
    post_at = session.scalar(select(func.min(ThemePost.next_send_at)).where(ThemePost.status == PostStatus.SCHEDULED))
    if post_at is not None:
        candidates.append(post_at)
    today = now.astimezone(JST).date()
    for step in session.scalars(select(StepMessage).where(StepMessage.active.is_(True))):
        for day in (today, today + timedelta(days=1)):
            starts = quiet.release(steps.occurrence(step, day))
            if starts > now:
                candidates.append(starts)
                break
    return min(candidates) if candidates else None
