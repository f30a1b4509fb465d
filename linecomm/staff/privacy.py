"""The staff feature's privacy hook for member data: the wrong staff-link codes a LINE user sent in chat
(linecomm.staff.link_attempts), which name their member row. Staff accounts, sessions and linked LINE
accounts are staff data, not member data, and are not covered here. Erasure deletes the rows."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.staff import link_attempts

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    return {"wrong_staff_link_codes_at": [plain(at) for at in link_attempts.attempts_of(session, member.id)]}


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    deleted = link_attempts.erase_attempts(session, member.id)
    return {"staff_link_attempts": deleted} if deleted else {}


hook = PrivacyHook(name="staff", tables=("staff_link_attempts",), export_member=export_member,
                   erase_member=erase_member)
