"""Rich menus follow membership: members' service calls its membership listeners when someone joins,
leaves or is erased, or is suspended or let back (linecomm.members.service.MEMBERSHIP_LISTENERS), and this
one asks, after commit, for the job that switches their menu (a suspended member keeps the community menu:
the job links it again, which LINE takes). Installed by every process at start (linecomm.runtime), so the
members feature never imports this one."""
from __future__ import annotations

from sqlalchemy.orm import Session

from linecomm.members import service as members
from linecomm.members.models import Member
from linecomm.queue import enqueue_after_commit
from linecomm.richmenu import service
from linecomm.richmenu.jobs import SYNC_JOB


def on_membership_changed(session: Session, member: Member, line_user_id: str) -> None:
    if not line_user_id.startswith("U") or not service.any_deployed(session):
        return  # no rich menus yet: `linecomm richmenu deploy` links everyone when it creates them
    enqueue_after_commit(session, SYNC_JOB, member.id, line_user_id)


def install() -> None:
    if on_membership_changed not in members.MEMBERSHIP_LISTENERS:
        members.MEMBERSHIP_LISTENERS.append(on_membership_changed)
