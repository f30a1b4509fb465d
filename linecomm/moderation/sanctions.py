"""Warnings and suspensions. A suspended member can still read (receive themes and notices) but not
post; they are told why, when it happens and whenever they try to post. Suspending and lifting change the
member's status, so they call members' membership listeners (members.service.membership_changed) in the
same transaction: what follows membership (the leaderboards in Redis) follows at once, on commit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members import service as members
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import copy
from linecomm.moderation.models import MemberSanction, SanctionKind
from linecomm.moderation.service import ModerationError, suspension_reason
from linecomm.outbox import queueing, sending
from linecomm.queue import enqueue_after_commit

REASON_MAX = 300


def _reason(raw: str) -> str:
    reason = " ".join((raw or "").split())
    if not reason:
        raise ModerationError("メンバーにお伝えする理由を入力してください。")
    if len(reason) > REASON_MAX:
        raise ModerationError(f"理由は{REASON_MAX}文字以内にしてください。")
    return reason


def _record(session: Session, member: Member, kind: str, reason: str, staff_id: int | None,
            content_id: int | None, now: datetime, messages: list[dict]) -> MemberSanction:
    sanction = MemberSanction(member_id=member.id, kind=kind, reason=reason, content_id=content_id,
                              staff_id=staff_id, created_at=now)
    session.add(sanction)
    session.flush()
    if member.is_following and not member.line_user_id.startswith("deleted:"):
        message_id = queueing.queue_message(session, key=f"sanction:{sanction.id}", to=member.line_user_id,
                                            messages=messages, member_id=member.id)
        if message_id is not None:  # None: already stored under this key, and sent from there
            enqueue_after_commit(session, sending.DELIVER_JOB, [message_id])
    return sanction


def warn(session: Session, member: Member, reason: str, staff_id: int | None,
         content_id: int | None = None, now: datetime | None = None) -> MemberSanction:
    """Warn a member: recorded, and the reason sent to them in chat after commit."""
    reason = _reason(reason)
    if member.status not in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        raise ModerationError("メンバーではないため警告できません。")
    return _record(session, member, SanctionKind.WARN, reason, staff_id, content_id, now or utcnow(),
                   copy.warning(reason))


def suspend(session: Session, member: Member, reason: str, staff_id: int | None,
            content_id: int | None = None, now: datetime | None = None) -> MemberSanction:
    """Stop a member from posting (status SUSPENDED) and tell them why."""
    reason = _reason(reason)
    if member.status != MemberStatus.MEMBER:
        raise ModerationError("メンバー（利用停止中でない方）のみ利用停止にできます。")
    member.status = MemberStatus.SUSPENDED
    members.membership_changed(session, member)  # off the leaderboards' Redis sets on commit, among others
    return _record(session, member, SanctionKind.SUSPEND, reason, staff_id, content_id, now or utcnow(),
                   copy.suspension_started(reason))


def lift(session: Session, member: Member, reason: str, staff_id: int | None,
         now: datetime | None = None) -> MemberSanction:
    """Let a suspended member post again."""
    reason = _reason(reason or "利用停止の解除")
    if member.status != MemberStatus.SUSPENDED:
        raise ModerationError("利用停止中のメンバーではありません。")
    member.status = MemberStatus.MEMBER
    members.membership_changed(session, member)
    return _record(session, member, SanctionKind.LIFT, reason, staff_id, None, now or utcnow(),
                   copy.suspension_lifted())


def of_member(session: Session, member_id: int) -> list[MemberSanction]:
    return list(session.scalars(
        select(MemberSanction).where(MemberSanction.member_id == member_id).order_by(MemberSanction.id.desc())
    ))


def suspended_notice(session: Session, member: Member) -> list[dict]:
    """What a suspended member is told when they try to post in chat."""
    return copy.suspended(suspension_reason(session, member.id))
