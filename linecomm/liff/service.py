"""What member pages change, through the members feature's own rules (no second way to do the same thing)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.members import copy as member_copy
from linecomm.members import service as members
from linecomm.members.models import Member
from linecomm.outbox import queueing, sending
from linecomm.queue import enqueue_after_commit


def member_row(session: Session, member_id: int) -> Member:
    """The member's row, for a change in this transaction."""
    member = session.scalars(select(Member).where(Member.id == member_id).with_for_update()).one()
    return member


def leave_community(session: Session, member: Member, now: datetime) -> bool:
    """退会 from my page: the same as confirming 退会 in chat (members.service.leave) and the same goodbye
    in chat (members.copy.left), pushed after commit since a page has no reply token. False when they were
    no longer a member (nothing changed, nothing sent)."""
    if not members.leave(member, now):
        return False
    if member.is_following:
        key = f"liff-leave:{member.id}:{int(now.timestamp())}"
        message_id = queueing.queue_message(session, key=key, to=member.line_user_id,
                                            messages=member_copy.left(), member_id=member.id)
        if message_id is not None:
            enqueue_after_commit(session, sending.DELIVER_JOB, [message_id])
    return True
