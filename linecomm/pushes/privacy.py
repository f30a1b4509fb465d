"""The push engine's privacy hook: step messages that left the member out (the weekly cap).

Erasing keeps these rows: they hold nothing but which step skipped which member, and they keep the step
from being sent later and the delivery's counts right.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.pushes.models import StepSkip

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    return {
        "step_messages_skipped": [
            {"step_id": s.step_id, "reason": s.reason, "created_at": plain(s.created_at)}
            for s in session.scalars(select(StepSkip).where(StepSkip.member_id == member.id).order_by(StepSkip.id))
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> None:
    return None


hook = PrivacyHook(name="pushes", tables=("push_step_skips",), export_member=export_member,
                   erase_member=erase_member)
