"""Telling an asker that answers arrived: one push per question per window (`qa_notice_window_minutes`),
through the outbox, held until quiet hours end (the outbox row's `not_before`). A page has no reply token,
so it is a push; the caller enqueues the send after commit (`Notice`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from linecomm.members.models import Member, MemberStatus
from linecomm.outbox import queueing
from linecomm.pushes import policy as push_policy
from linecomm.qa import copy, service
from linecomm.qa.models import QaAnswer, QaQuestion

LIFF_BASE = "https://liff.line.me"


def question_url(liff_id: str, question_id: int) -> str:
    return f"{LIFF_BASE}/{liff_id}/qa/{question_id}"


@dataclass(frozen=True)
class Notice:
    message_id: int
    not_before: datetime | None  # set when quiet hours hold it


def tell_asker(session: Session, question: QaQuestion, answer: QaAnswer, *, liff_id: str, now: datetime,
               window_minutes: int) -> Notice | None:
    """Store the asker's notice of `answer` unless it is their own, they cannot receive it, or they were
    told of this question less than `window_minutes` ago. None when nothing is to be sent."""
    if question.member_id is None or answer.member_id == question.member_id:
        return None
    asker = session.get(Member, question.member_id)
    if asker is None or not asker.is_following or asker.status not in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        return None
    if not service.claim_notice(session, question.id, now, window_minutes):
        return None
    release = push_policy.quiet_hours(push_policy.read(session)).release(now)
    not_before = release if release > now else None
    message_id = queueing.queue_message(
        session, key=f"qa-answer-notice:{answer.id}", to=asker.line_user_id, member_id=asker.id,
        messages=copy.answer_notice(question.title, question_url(liff_id, question.id)), not_before=not_before)
    return Notice(message_id, not_before) if message_id is not None else None


def send_after_commit(session: Session, notice: Notice | None) -> None:
    """Ask for the send once the transaction commits; a notice held for quiet hours is left to the sweeper,
    which sends pending messages whose `not_before` has passed."""
    from linecomm.outbox import sending
    from linecomm.queue import enqueue_after_commit

    if notice is not None and notice.not_before is None:
        enqueue_after_commit(session, sending.DELIVER_JOB, [notice.message_id])
