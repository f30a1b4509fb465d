"""The outbox's privacy hook: the messages the account sent (or was about to send) to the member."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from linecomm.outbox import retention
from linecomm.privacy.registry import MemberRecord, PrivacyHook


def export_member(session: Session, member: MemberRecord) -> dict[str, Any]:
    return {"messages_we_sent": retention.messages_to(session, member.line_user_id)}


def erase_member(session: Session, member: MemberRecord, now: datetime) -> dict[str, Any]:
    return {"outgoing_messages": retention.erase_recipient(session, member.line_user_id)}


hook = PrivacyHook(name="outbox", tables=("outbound_messages",), export_member=export_member,
                   erase_member=erase_member)
