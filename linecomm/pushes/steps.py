"""Step messages for new members: each is sent `days_after_join` days after a member joined, at a chosen
Japan time, once per member, and never after the member left or blocked the account.

Every day at the step's time one delivery freezes the members due: joined on or before that day minus
N days (Japan time), after the step was switched on, within the catch-up window, and not sent this step
yet. A missed day (the workers were down) is caught up the next day; nobody gets a step twice.

Step messages count toward the weekly cap like any push, and a member who has reached it when their run
goes is skipped, like a theme post skips them: counted in that run's "over the cap", and recorded
(`StepSkip`) so the step is not offered again the next day. A late "welcome" is not what the step was for,
and the cap is the marketer's promise not to send more than N pushes a week.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Integer, String, literal, select
from sqlalchemy.orm import Session

from linecomm.db import UTCDateTime, insert_ignoring_conflicts, utcnow
from linecomm.members.models import Member
from linecomm.pushes.content import ContentError, build_messages, check_message
from linecomm.pushes.errors import PushError
from linecomm.pushes.models import (
    BatchStatus,
    Delivery,
    DeliveryBatch,
    DeliveryKind,
    DeliveryStatus,
    QuotaPolicy,
    StepMessage,
    StepSkip,
)
from linecomm.pushes.occurrences import open_delivery
from linecomm.pushes.owners import DeliveryOwner
from linecomm.pushes.schedule import QuietHours, at_jst, jst_day_start, parse_time_of_day
from linecomm.pushes.segments import batch_member_ids, reachable
from linecomm.timezones import JST

CATCH_UP_DAYS = 7  # a step more than a week late is no longer about "your first days"


def create_step(session: Session, *, name: str, days_after_join: int, time_of_day: str, text: str,
                image_url: str | None = None, allow_partial: bool = False,
                now: datetime | None = None) -> StepMessage:
    """Add an active step; members who join from now on receive it."""
    if not name.strip():
        raise ContentError("ステップ配信の名前を入力してください。")
    if not 0 <= days_after_join <= 365:
        raise ContentError("入会からの日数は0〜365日で指定してください。")
    parse_time_of_day(time_of_day)
    check_message(text, image_url)
    now = now or utcnow()
    step = StepMessage(
        name=name.strip()[:100], days_after_join=days_after_join, time_of_day=time_of_day.strip(), text=text,
        image_url=image_url, quota_policy=QuotaPolicy.PARTIAL if allow_partial else QuotaPolicy.REFUSE,
        active=True, activated_at=now, created_at=now,
    )
    session.add(step)
    session.flush()
    return step


def set_active(session: Session, step_id: int, active: bool, now: datetime | None = None) -> StepMessage:
    """Switch a step off or on; switching on again enrolls only members who join from then."""
    step = session.get(StepMessage, step_id)
    if step is None:
        raise PushError(f"ステップ配信 {step_id} は見つかりません。")
    if active and not step.active:
        step.activated_at = now or utcnow()
    step.active = active
    return step


def messages(step: StepMessage) -> list[dict[str, object]]:
    return build_messages(step.text, step.image_url)


def occurrence(step: StepMessage, day: date) -> datetime:
    return at_jst(day, parse_time_of_day(step.time_of_day))


def occurrence_key(step_id: int, day: date) -> str:
    return f"step:{step_id}:{day.isoformat()}"


def due_days(step: StepMessage, now: datetime) -> list[date]:
    """Japan-time days whose run of this step should have started by `now` (today, if its time passed)."""
    today = now.astimezone(JST).date()
    return [today] if occurrence(step, today) <= now else []


def conditions(session: Session, step_id: int, scheduled_for: datetime) -> list[ColumnElement[bool]]:
    """Members due this step on the day of `scheduled_for`, not sent it already nor skipped by the cap."""
    step = session.get(StepMessage, step_id)
    assert step is not None
    day = scheduled_for.astimezone(JST).date()
    last_join_day = day - timedelta(days=step.days_after_join)
    already = batch_member_ids(
        session, Delivery.step_id == step_id, DeliveryBatch.status.in_((BatchStatus.SENT, BatchStatus.PENDING))
    )
    return [
        reachable(),
        Member.joined_at >= step.activated_at,
        Member.joined_at < jst_day_start(last_join_day + timedelta(days=1)),
        Member.joined_at >= jst_day_start(last_join_day - timedelta(days=CATCH_UP_DAYS)),
        Member.id.not_in(select(already.c.member_id)),
        Member.id.not_in(select(StepSkip.member_id).where(StepSkip.step_id == step_id)),
    ]


def record_cap_skips(session: Session, delivery: Delivery, over_cap: list[ColumnElement[bool]],
                     now: datetime) -> None:
    """Note, in one INSERT ... SELECT, that this step run left out the members matching `over_cap` (due
    the step, and over the weekly cap): they are not offered the step again."""
    assert delivery.step_id is not None
    t = StepSkip.__table__
    rows = select(
        literal(delivery.step_id, Integer), Member.id, literal(delivery.id, Integer),
        literal("weekly_cap", String), literal(now, UTCDateTime()),
    ).where(*over_cap)
    session.execute(
        insert_ignoring_conflicts(session, t, ["step_id", "member_id"]).from_select(
            [t.c.step_id, t.c.member_id, t.c.delivery_id, t.c.reason, t.c.created_at], rows
        )
    )


def messages_json(step: StepMessage) -> str:
    return json.dumps(messages(step), ensure_ascii=False)


def open_step(session: Session, step: StepMessage, quiet: QuietHours, weekly_cap: int, batch_size: int,
              now: datetime) -> list[Delivery]:
    """Open yesterday's and today's runs of a step if their time (after quiet hours) has come. Like a
    post, a run skips members who have reached the weekly cap."""
    today = now.astimezone(JST).date()
    opened = []
    for day in (today - timedelta(days=1), today):
        starts_at = occurrence(step, day)
        starts = quiet.release(starts_at)
        if starts > now or starts_at < step.activated_at:  # runs from its first time after switch-on
            continue
        key = occurrence_key(step.id, day)
        if session.scalar(select(Delivery.id).where(Delivery.occurrence_key == key)) is not None:
            continue
        delivery = open_delivery(session, Delivery(
            kind=DeliveryKind.STEP, step_id=step.id, occurrence_key=key, status=DeliveryStatus.STARTING,
            messages=messages_json(step), segment="{}", quota_policy=step.quota_policy, weekly_cap=weekly_cap,
            batch_size=batch_size, scheduled_for=starts_at, not_before=starts, created_at=now,
        ))
        if delivery is not None:
            opened.append(delivery)
    return opened


class StepRuns(DeliveryOwner):
    """Step messages own their daily runs: pushes' own deliveries, with nothing to record on a status."""

    kind = DeliveryKind.STEP

    def open_due(self, session: Session, now: datetime, quiet: QuietHours, weekly_cap: int,
                 batch_size: int) -> list[int]:
        active = session.scalars(select(StepMessage).where(StepMessage.active.is_(True))).all()
        return [d.id for step in active for d in open_step(session, step, quiet, weekly_cap, batch_size, now)]

    def next_due(self, session: Session, quiet: QuietHours, now: datetime) -> datetime | None:
        candidates = []
        today = now.astimezone(JST).date()
        for step in session.scalars(select(StepMessage).where(StepMessage.active.is_(True))):
            for day in (today, today + timedelta(days=1)):
                starts = quiet.release(occurrence(step, day))
                if starts > now:
                    candidates.append(starts)
                    break
        return min(candidates) if candidates else None


STEP_RUNS = StepRuns()
