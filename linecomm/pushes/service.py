"""Theme posts: write, target, preview, test, schedule (now, at a time, weekly, monthly), cancel.

Entry points pass in what LINE said about the quota (they call LINE, not the service), commit, and then
wake the scheduler at `ScheduleResult.starts_at` (linecomm.pushes.jobs.wake_scheduler).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.line.client import Quota
from linecomm.pushes import copy
from linecomm.pushes import policy as policies
from linecomm.pushes.content import Choice, check_content, choices_to_json
from linecomm.pushes.errors import PushError, QuotaRefused
from linecomm.pushes.freeze import add_fixed_batches
from linecomm.pushes.models import (
    AnswerMode,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    PostStatus,
    QuotaPolicy,
    ThemePost,
)
from linecomm.pushes.occurrences import following_occurrence, post_messages
from linecomm.pushes.schedule import ScheduleError, parse_time_of_day
from linecomm.pushes.segments import Audience, Segment, measure, unknown_tags
from linecomm.queue import enqueue_after_commit
from linecomm.timezones import JST

WAKE_JOB = "linecomm.pushes.jobs.wake_delivery"
SCHEDULE_KINDS = ("now", "once", "weekly", "monthly")


@dataclass(frozen=True)
class PostDraft:
    title: str
    text: str
    image_url: str | None = None
    choice_kind: str | None = None
    choices: tuple[Choice, ...] = ()
    answers_open_at: datetime | None = None
    answers_close_at: datetime | None = None
    segment: Segment = field(default_factory=Segment)
    answer_mode: str = AnswerMode.MULTIPLE  # one answer per member, or several


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
class CostCheck:
    audience: Audience
    quota_limit: int | None
    quota_remaining: int | None  # for the month the send falls in
    sendable: int  # billed messages if it went now

    @property
    def fits(self) -> bool:
        return self.quota_remaining is None or self.audience.billable <= self.quota_remaining


@dataclass(frozen=True)
class ScheduleResult:
    post_id: int
    requested_at: datetime
    starts_at: datetime
    cost: CostCheck
    notes: list[str]


def _check(session: Session, draft: PostDraft) -> None:
    if not draft.title.strip() or len(draft.title) > 100:
        raise PushError("タイトルは1〜100文字で入力してください。")
    check_content(draft.text, draft.image_url, draft.choice_kind, list(draft.choices))
    if (draft.answers_open_at is None) != (draft.answers_close_at is None):
        raise PushError("回答期間は開始と終了の両方を指定してください。")
    if draft.answers_open_at and draft.answers_close_at and draft.answers_open_at >= draft.answers_close_at:
        raise PushError("回答期間の終了は開始より後にしてください。")
    if draft.answer_mode not in AnswerMode.ALL:
        raise PushError("回答の受け付け方は「1人1回」か「何度でも」から選んでください。")
    missing = unknown_tags(session, draft.segment)
    if missing:
        raise PushError(copy.unknown_tags(missing))


def _apply(post: ThemePost, draft: PostDraft) -> None:
    post.title, post.text, post.image_url = draft.title.strip(), draft.text, draft.image_url
    post.choice_kind = draft.choice_kind
    post.choices = choices_to_json(list(draft.choices))
    post.answers_open_at, post.answers_close_at = draft.answers_open_at, draft.answers_close_at
    post.answer_mode = draft.answer_mode
    post.segment = draft.segment.to_json()


def create_post(session: Session, draft: PostDraft, created_by: str | None = None,
                now: datetime | None = None) -> ThemePost:
    """Save a draft post (checked against LINE's limits)."""
    _check(session, draft)
    now = now or utcnow()
    post = ThemePost(status=PostStatus.DRAFT, quota_policy=QuotaPolicy.REFUSE, created_by=created_by,
                     created_at=now, updated_at=now)
    _apply(post, draft)
    session.add(post)
    session.flush()
    return post


def get_post(session: Session, post_id: int, *, lock: bool = False) -> ThemePost:
    stmt = select(ThemePost).where(ThemePost.id == post_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    post = session.scalar(stmt)
    if post is None:
        raise PushError(f"投稿 {post_id} は見つかりません。")
    return post


def _editable(post: ThemePost) -> None:
    if post.status not in PostStatus.EDITABLE:
        raise PushError(copy.not_editable(copy.STATUS_LABELS.get(post.status, post.status)))


def update_post(session: Session, post_id: int, draft: PostDraft, now: datetime | None = None) -> ThemePost:
    """Change a draft or a scheduled post before it starts (a recurring post: its next occurrences)."""
    post = get_post(session, post_id, lock=True)
    _editable(post)
    _check(session, draft)
    _apply(post, draft)
    post.updated_at = now or utcnow()
    return post


def cost_check(session: Session, segment: Segment, quota: Quota, weekly_cap: int | None, now: datetime,
               send_at: datetime) -> CostCheck:
    """Recipients (= billed messages, after the weekly cap) against the quota of the month the send
    falls in: what is left this month, or the whole limit for a later month."""
    audience = measure(session, segment, weekly_cap, now)
    same_month = send_at.astimezone(JST).strftime("%Y-%m") == now.astimezone(JST).strftime("%Y-%m")
    remaining = quota.remaining if same_month else quota.limit
    sendable = audience.billable if remaining is None else min(audience.billable, remaining)
    return CostCheck(audience, quota.limit, remaining, sendable)


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
    _editable(post)
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
    if cost.audience.over_cap:
        notes.append(copy.over_cap(cost.audience.over_cap, policy.weekly_cap))
    if cost.audience.billable == 0:
        notes.append(copy.no_recipients())
    if post.tested_at is None:
        notes.append(copy.not_tested())
    if post.answers_open_at is None:
        notes.append(copy.no_answer_window())
    post.schedule_kind = "once" if plan.kind in ("now", "once") else plan.kind
    post.send_at = occurrence if post.schedule_kind == "once" else None
    post.weekday, post.day_of_month = plan.weekday, plan.day_of_month
    post.time_of_day = plan.time_of_day if post.schedule_kind != "once" else None
    post.next_occurrence_at, post.next_send_at = occurrence, starts
    post.quota_policy = QuotaPolicy.PARTIAL if plan.allow_partial else QuotaPolicy.REFUSE
    post.batch_size = plan.batch_size
    post.status, post.updated_at = PostStatus.SCHEDULED, now
    return ScheduleResult(post.id, occurrence, starts, cost, notes)


def cancel_post(session: Session, post_id: int, now: datetime | None = None) -> ThemePost:
    """Cancel a post before it starts (a recurring post: all occurrences still to come)."""
    post = get_post(session, post_id, lock=True)
    if post.status not in (PostStatus.DRAFT, PostStatus.SCHEDULED):
        raise PushError(copy.not_editable(copy.STATUS_LABELS.get(post.status, post.status))
                        + "配信中のものは配信の取り消し（stop）を使ってください。")
    post.status, post.next_occurrence_at, post.next_send_at = PostStatus.CANCELLED, None, None
    post.updated_at = now or utcnow()
    return post


@dataclass(frozen=True)
class Preview:
    """What the marketer checks before scheduling: the bubbles, the audience, the cost, the timing."""

    post_id: int
    title: str
    messages: list[dict[str, object]]
    segment: str
    cost: CostCheck
    starts_at: datetime | None
    quiet_hours: str
    weekly_cap: int
    tested_at: datetime | None
    warnings: list[str]


def preview(session: Session, post_id: int, quota: Quota, now: datetime | None = None) -> Preview:
    now = now or utcnow()
    post = get_post(session, post_id)
    policy = policies.current(session)
    quiet = policies.quiet_hours(policy)
    segment = Segment.from_json(post.segment)
    starts = post.next_send_at or quiet.release(now)
    cost = cost_check(session, segment, quota, policy.weekly_cap, now, starts)
    warnings = []
    if not cost.fits and cost.quota_remaining is not None:
        warnings.append(copy.over_quota(cost.audience.billable, cost.quota_remaining))
    if cost.audience.over_cap:
        warnings.append(copy.over_cap(cost.audience.over_cap, policy.weekly_cap))
    if cost.audience.billable == 0:
        warnings.append(copy.no_recipients())
    if post.tested_at is None:
        warnings.append(copy.not_tested())
    if post.answers_open_at is None:
        warnings.append(copy.no_answer_window())
    return Preview(post.id, post.title, post_messages(post), segment.describe(), cost, post.next_send_at,
                   quiet.label(), policy.weekly_cap, post.tested_at, warnings)


def test_send(session: Session, post_id: int, now: datetime | None = None, batch_size: int = 500) -> Delivery:
    """Send the post as it stands to every registered staff LINE account (no cap, no quiet hours, not
    counted against members' weekly cap). Starts after commit."""
    now = now or utcnow()
    post = get_post(session, post_id)
    staff = [r.line_user_id for r in policies.test_recipients(session)]
    if not staff:
        raise PushError(copy.no_test_recipients())
    delivery = Delivery(
        kind=DeliveryKind.TEST, post_id=post.id, occurrence_key=f"test:{post.id}:{now.isoformat()}",
        status=DeliveryStatus.SENDING, messages=json.dumps(post_messages(post), ensure_ascii=False),
        segment="{}", quota_policy=QuotaPolicy.REFUSE, weekly_cap=None, batch_size=batch_size, scheduled_for=now,
        not_before=now, created_at=now, started_at=now, heartbeat_at=now,
    )
    session.add(delivery)
    session.flush()
    add_fixed_batches(session, delivery, staff)
    post.tested_at = now
    enqueue_after_commit(session, WAKE_JOB, delivery.id)
    return delivery
