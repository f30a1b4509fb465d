"""The webhook inbox's privacy hook: the events LINE delivered from the member's LINE account."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from linecomm.privacy.registry import MemberRecord, PrivacyHook
from linecomm.webhooks import retention


def export_member(session: Session, member: MemberRecord) -> dict[str, Any]:
    return {"messages_sent_to_us": retention.events_of(session, member.line_user_id)}


def erase_member(session: Session, member: MemberRecord, now: datetime) -> dict[str, Any]:
    return {"inbox_events": retention.erase_user(session, member.line_user_id)}


hook = PrivacyHook(name="webhooks", tables=("webhook_events",), export_member=export_member,
                   erase_member=erase_member)
