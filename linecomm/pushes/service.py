"""What the features that own deliveries (linecomm.pushes.owners) ask of the push engine: what a send would
cost, a test send to the staff accounts, and what went out (per post, per step). Functions only flush;
entry points commit, and a delivery that is ready to send starts after commit (WAKE_JOB).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from linecomm.line.client import Quota
from linecomm.pushes import copy
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import PushError
from linecomm.pushes.freeze import add_fixed_batches
from linecomm.pushes.models import (
    BatchStatus,
    Delivery,
    DeliveryBatch,
    DeliveryKind,
    DeliveryStatus,
    QuotaPolicy,
    StepMessage,
)
from linecomm.pushes.segments import Audience, Segment, batch_member_ids, measure
from linecomm.queue import enqueue_after_commit
from linecomm.timezones import JST

WAKE_JOB = "linecomm.pushes.jobs.wake_delivery"
GONE_OUT = (DeliveryStatus.SENDING, DeliveryStatus.PAUSED, DeliveryStatus.SENT)


@dataclass(frozen=True)
class CostCheck:
    audience: Audience
    quota_limit: int | None
    quota_remaining: int | None  # for the month the send falls in
    sendable: int  # billed messages if it went now

    @property
    def fits(self) -> bool:
        return self.quota_remaining is None or self.audience.billable <= self.quota_remaining


def cost_check(session: Session, segment: Segment, quota: Quota, weekly_cap: int | None, now: datetime,
               send_at: datetime) -> CostCheck:
    """Recipients (= billed messages, after the weekly cap) against the quota of the month the send
    falls in: what is left this month, or the whole limit for a later month."""
    audience = measure(session, segment, weekly_cap, now)
    same_month = send_at.astimezone(JST).strftime("%Y-%m") == now.astimezone(JST).strftime("%Y-%m")
    remaining = quota.remaining if same_month else quota.limit
    sendable = audience.billable if remaining is None else min(audience.billable, remaining)
    return CostCheck(audience, quota.limit, remaining, sendable)


def send_to_staff(session: Session, *, post_id: int, messages: list[dict[str, object]], now: datetime,
                  batch_size: int = 500) -> Delivery:
    """A test send of a post's messages to every registered staff LINE account (no cap, no quiet hours,
    not counted against members' weekly cap), sending as soon as it is committed."""
    staff = [r.line_user_id for r in policies.test_recipients(session)]
    if not staff:
        raise PushError(copy.no_test_recipients())
    delivery = Delivery(
        kind=DeliveryKind.TEST, post_id=post_id, occurrence_key=f"test:{post_id}:{now.isoformat()}",
        status=DeliveryStatus.SENDING, messages=json.dumps(messages, ensure_ascii=False),
        segment="{}", quota_policy=QuotaPolicy.REFUSE, weekly_cap=None, batch_size=batch_size, scheduled_for=now,
        not_before=now, created_at=now, started_at=now, heartbeat_at=now,
    )
    session.add(delivery)
    session.flush()
    add_fixed_batches(session, delivery, staff)
    enqueue_after_commit(session, WAKE_JOB, delivery.id)
    return delivery


# ---- what went out, per post ---------------------------------------------------------------------------
def last_sent_by_post() -> Select[Any]:
    """Per post (`post_id`): when its latest real delivery (not a test send) started (`last`)."""
    return (
        select(Delivery.post_id, func.max(func.coalesce(Delivery.started_at, Delivery.created_at)).label("last"))
        .where(Delivery.kind == DeliveryKind.POST, Delivery.status.in_(GONE_OUT), Delivery.post_id.is_not(None))
        .group_by(Delivery.post_id)
    )


def has_gone_out(session: Session, post_id: int) -> bool:
    """Whether a real delivery of the post has started (test sends to staff do not count)."""
    return session.scalar(
        select(Delivery.id).where(Delivery.post_id == post_id, Delivery.kind == DeliveryKind.POST,
                                  Delivery.status.in_(GONE_OUT)).limit(1)
    ) is not None


def sent_to(session: Session, post_id: int, member_id: int) -> bool:
    """Whether the member was in a batch of the post that LINE accepted."""
    sent = batch_member_ids(session, Delivery.post_id == post_id, Delivery.kind == DeliveryKind.POST,
                            DeliveryBatch.status == BatchStatus.SENT)
    return session.scalar(select(sent.c.member_id).where(sent.c.member_id == member_id).limit(1)) is not None


def latest_post_deliveries(session: Session, post_ids: list[int]) -> dict[int, Delivery]:
    """Each post's latest real delivery (not a test send), by post id; posts never sent are absent."""
    if not post_ids:
        return {}
    latest = (
        select(func.max(Delivery.id))
        .where(Delivery.kind == DeliveryKind.POST, Delivery.post_id.in_(post_ids))
        .group_by(Delivery.post_id)
    )
    rows = session.scalars(select(Delivery).where(Delivery.id.in_(latest)))
    return {d.post_id: d for d in rows if d.post_id is not None}


def post_deliveries(session: Session, post_id: int, limit: int = 50) -> list[Delivery]:
    """A post's deliveries (test sends included), newest first."""
    return list(session.scalars(
        select(Delivery).where(Delivery.post_id == post_id).order_by(Delivery.id.desc()).limit(limit)
    ))


def latest_post_delivery(session: Session, post_id: int) -> Delivery | None:
    """The post's latest real delivery (what its progress panel follows)."""
    return session.scalar(
        select(Delivery).where(Delivery.post_id == post_id, Delivery.kind == DeliveryKind.POST)
        .order_by(Delivery.id.desc()).limit(1)
    )


# ---- step messages and their runs ----------------------------------------------------------------------
@dataclass(frozen=True)
class StepLine:
    step: StepMessage
    runs: int
    sent_to: int  # recipients of its runs so far
    latest: Delivery | None


def step_lines(session: Session) -> list[StepLine]:
    """Step messages in sequence order (days after joining, then time), with their runs so far."""
    totals = (
        select(Delivery.step_id, func.count().label("runs"), func.coalesce(func.sum(Delivery.recipients), 0)
               .label("sent_to"), func.max(Delivery.id).label("latest_id"))
        .where(Delivery.kind == DeliveryKind.STEP)
        .group_by(Delivery.step_id)
        .subquery()
    )
    rows = session.execute(
        select(StepMessage, totals.c.runs, totals.c.sent_to, Delivery)
        .outerjoin(totals, totals.c.step_id == StepMessage.id)
        .outerjoin(Delivery, Delivery.id == totals.c.latest_id)
        .order_by(StepMessage.days_after_join, StepMessage.time_of_day, StepMessage.id)
    ).all()
    return [StepLine(step, int(runs or 0), int(sent or 0), latest) for step, runs, sent, latest in rows]
