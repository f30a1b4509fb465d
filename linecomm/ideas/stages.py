"""Where an idea stands: reaching its threshold (→ 検討中, the author told in chat), missing its window
(→ 期限切れ, by the ideas pass), and a marketer's stage change with an official answer that the delivery
engine sends to the author and every supporter (linecomm.ideas.deliveries).

The author's notice is one outbox message (key `idea-reached:<id>`), queued at once outside the quiet
hours, otherwise by the first ideas pass after they end; `author_told_at` records that it was queued.
Functions only flush; the entry point commits (and the outbox job runs after commit).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session

from linecomm.actions.service import ActionKind, record
from linecomm.ideas import copy
from linecomm.ideas.models import Idea, IdeaAnswer, IdeaSettings, IdeaStage, IdeaSupport
from linecomm.ideas.service import jst_today, momentum_since
from linecomm.line.client import Quota
from linecomm.line.limits import MessageTooLarge, check_messages, utf16_units
from linecomm.members.models import Member
from linecomm.outbox import queueing, sending
from linecomm.pushes import copy as push_copy
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import PushError, QuotaRefused
from linecomm.pushes.schedule import QuietHours
from linecomm.pushes.segments import Audience, over_cap_members, reachable
from linecomm.pushes.service import CostCheck
from linecomm.queue import enqueue_after_commit

KIND = "idea"  # Delivery.kind of official answers (at most 8 characters)
FINAL = (IdeaStage.ADOPTED, IdeaStage.DECLINED)


class StageError(PushError):
    """A stage change that cannot be made; the message is Japanese, for the marketer."""


def idea_url(liff_id: str, idea_id: int) -> str:
    return f"https://liff.line.me/{liff_id}/ideas/{idea_id}"


# ---- threshold and window -------------------------------------------------------------------------------
def reach(session: Session, idea: Idea, now: datetime, liff_id: str) -> None:
    """The idea reached its threshold: into the review list (検討中), and its author told (now, or after
    the quiet hours by the ideas pass)."""
    idea.stage, idea.reached_at, idea.stage_changed_at = IdeaStage.REVIEW, now, now
    session.flush()
    quiet = policies.quiet_hours(policies.read(session))
    if not quiet.contains(now):
        tell_author(session, idea, now, liff_id)


def tell_author(session: Session, idea: Idea, now: datetime, liff_id: str) -> None:
    """Queue the author's "your idea reached its threshold" message, once (`author_told_at`, and the
    outbox key), to be sent after commit."""
    idea.author_told_at = now
    member = session.get(Member, idea.member_id) if idea.member_id is not None else None
    if member is None or not member.is_following or member.line_user_id.startswith("deleted:"):
        return
    messages = copy.reached_notice(idea.title, idea.threshold, idea_url(liff_id, idea.id))
    message_id = queueing.queue_message(session, key=f"idea-reached:{idea.id}", to=member.line_user_id,
                                        messages=messages, member_id=member.id)
    if message_id is not None:
        enqueue_after_commit(session, sending.DELIVER_JOB, [message_id])


@dataclass(frozen=True)
class Pass:
    expired: int
    told: int
    momentum: bool


def run_pass(session: Session, now: datetime, liff_id: str) -> Pass:
    """The ideas pass (linecomm.ideas.jobs): expire 募集中 ideas whose window ended (once: only 募集中 ones
    move), tell authors whose notice waited for the quiet hours, and recompute momentum once per
    Japan-time day. Safe to run twice. (An idea a moderator approves is published by moderation's state
    listener, in the approval's transaction: linecomm.ideas.service.)"""
    expired = session.execute(
        update(Idea).where(Idea.stage == IdeaStage.OPEN, Idea.window_ends_at <= now)
        .values(stage=IdeaStage.EXPIRED, expired_at=now, stage_changed_at=now).returning(Idea.id)
    ).scalars().all()
    told = 0
    if not policies.quiet_hours(policies.read(session)).contains(now):
        for idea in session.scalars(select(Idea).where(Idea.reached_at.is_not(None), Idea.author_told_at.is_(None))
                                    .limit(1000)):
            tell_author(session, idea, now, liff_id)
            told += 1
    return Pass(len(expired), told, recompute_momentum(session, now))


def recompute_momentum(session: Session, now: datetime, force: bool = False) -> bool:
    """Once per Japan-time day (or `force`): set each idea's momentum to its supports since
    `momentum_since(now)`, in one statement over the ideas that have any (only those can drop)."""
    from linecomm.ideas.service import settings_row

    row = settings_row(session)
    today = jst_today(now)
    if row.momentum_day == today and not force:
        return False
    since = momentum_since(now)
    recent = (select(func.count()).where(IdeaSupport.idea_id == Idea.id, IdeaSupport.created_at >= since)
              .correlate(Idea).scalar_subquery())
    session.execute(update(Idea).where(Idea.momentum != 0).values(momentum=recent)
                    .execution_options(synchronize_session=False))
    row.momentum_day = today
    session.flush()
    return True


# ---- official answers -----------------------------------------------------------------------------------
def recipient_conditions(idea_id: int) -> list[ColumnElement[bool]]:
    """Who an official answer about the idea goes to: its author and every supporter (conditions on
    `members`, with `reachable()` added by the engine)."""
    author = select(Idea.member_id).where(Idea.id == idea_id).scalar_subquery()
    supporter = exists(select(literal(1)).select_from(IdeaSupport)
                       .where(IdeaSupport.idea_id == idea_id, IdeaSupport.member_id == Member.id))
    return [or_(Member.id == author, supporter)]


def audience(session: Session, idea_id: int, cap: int | None, now: datetime) -> Audience:
    """How many members an answer would reach now, and how many of them the weekly cap leaves out."""
    where = [reachable(), *recipient_conditions(idea_id)]
    if cap is None:
        return Audience(int(session.scalar(select(func.count()).select_from(Member).where(*where)) or 0), 0)
    capped = Member.id.in_(over_cap_members(session, cap, now))
    row = session.execute(select(func.count(), func.count().filter(capped)).select_from(Member).where(*where)).one()
    return Audience(int(row[0] or 0), int(row[1] or 0))


def answer_cost(session: Session, idea_id: int, quota: Quota | None, now: datetime) -> CostCheck:
    """What sending an answer now costs: billable messages (recipients after the weekly cap) against the
    month's remaining quota."""
    policy = policies.read(session)
    found = audience(session, idea_id, policy.weekly_cap, now)
    remaining = quota.remaining if quota is not None else None
    sendable = found.billable if remaining is None else min(found.billable, remaining)
    return CostCheck(found, quota.limit if quota is not None else None, remaining, sendable)


def build_messages(idea: Idea, stage: str, body: str, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"type": "text", "text": copy.answer_text(idea.title, stage, body, url)}]
    try:
        check_messages(messages)
    except MessageTooLarge as exc:
        raise StageError(f"LINEの制限を超えるメッセージです: {exc}") from exc
    return messages


@dataclass(frozen=True)
class Changed:
    idea: Idea
    before: str
    answer: IdeaAnswer | None
    starts_at: datetime | None
    cost: CostCheck | None
    notes: list[str]


def change_stage(session: Session, idea_id: int, stage: str, answer: str, *, liff_id: str, quota: Quota | None,
                 created_by: str | None, now: datetime) -> Changed:
    """A marketer moves the idea to 検討中, 採用 or 見送り. An official answer (required for 採用 and 見送り)
    is frozen as a message and sent to the author and supporters by the delivery engine, from the end of
    the quiet hours if they are on; refused over the month's remaining quota. Becoming 採用 records the
    author's IDEA_ADOPTED action, once."""
    idea = session.scalar(select(Idea).where(Idea.id == idea_id).with_for_update()
                          .execution_options(populate_existing=True))
    if idea is None:
        raise StageError(copy.NOT_FOUND)
    answer = answer.strip().replace("\r\n", "\n")
    if stage not in IdeaStage.SET_BY_STAFF:
        raise StageError(copy.STAGE_UNKNOWN)
    if idea.stage in FINAL:
        raise StageError(copy.STAGE_FINAL)
    if idea.stage == stage:
        raise StageError(copy.STAGE_SAME)
    if stage in FINAL and not answer:
        raise StageError(copy.ANSWER_REQUIRED)
    if len(answer) > copy.ANSWER_MAX or utf16_units(answer) > copy.ANSWER_MAX * 2:
        raise StageError(copy.ANSWER_TOO_LONG)
    before = idea.stage
    idea.stage, idea.stage_changed_at, idea.updated_at = stage, now, now
    if stage == IdeaStage.ADOPTED and idea.member_id is not None:
        record(session, idea.member_id, ActionKind.IDEA_ADOPTED, f"idea-adopted:{idea.id}", ref=f"idea:{idea.id}",
               content_id=idea.content_id, at=now)
    if not answer:
        session.flush()
        return Changed(idea, before, None, None, None, [])
    if not liff_id:
        raise StageError(copy.NO_LIFF)
    policy = policies.current(session)
    quiet = policies.quiet_hours(policy)
    starts = quiet.release(now)
    cost = answer_cost(session, idea.id, quota, now)
    if not cost.fits:
        assert cost.quota_remaining is not None
        raise QuotaRefused(push_copy.over_quota(cost.audience.billable, cost.quota_remaining))
    notes = []
    if starts != now:
        notes.append(push_copy.quiet_hours_moved(now, starts, quiet.label()))
    if cost.audience.over_cap:
        notes.append(push_copy.over_cap(cost.audience.over_cap, policy.weekly_cap))
    messages = build_messages(idea, stage, answer, idea_url(liff_id, idea.id))
    row = IdeaAnswer(idea_id=idea.id, stage=stage, body=answer, messages=json.dumps(messages, ensure_ascii=False),
                     scheduled_at=now, status="scheduled", created_by=created_by, created_at=now)
    session.add(row)
    session.flush()
    return Changed(idea, before, row, starts, cost, notes)


def answers_of(session: Session, idea_id: int) -> list[IdeaAnswer]:
    return list(session.scalars(select(IdeaAnswer).where(IdeaAnswer.idea_id == idea_id).order_by(IdeaAnswer.id)))


def latest_answer(session: Session, idea_id: int) -> IdeaAnswer | None:
    return session.scalar(select(IdeaAnswer).where(IdeaAnswer.idea_id == idea_id)
                          .order_by(IdeaAnswer.id.desc()).limit(1))


def save_thresholds(session: Session, threshold: int, window_days: int, by: str | None,
                    now: datetime) -> tuple[dict[str, int], dict[str, int]]:
    if not 1 <= threshold <= 100_000:
        raise StageError(copy.THRESHOLD_RANGE)
    if not 1 <= window_days <= 365:
        raise StageError(copy.WINDOW_RANGE)
    from linecomm.ideas.service import settings_row

    row: IdeaSettings = settings_row(session)
    before = {"threshold": row.threshold, "window_days": row.window_days}
    row.threshold, row.window_days, row.updated_at, row.updated_by = threshold, window_days, now, by
    session.flush()
    return before, {"threshold": threshold, "window_days": window_days}


def quiet_now(session: Session, now: datetime) -> QuietHours | None:
    quiet = policies.quiet_hours(policies.read(session))
    return quiet if quiet.contains(now) else None


