"""Which rich menus are current, and who should see which (the rules; no LINE calls, flush only)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.members.models import Member, MemberStatus
from linecomm.richmenu.layout import COMMUNITY, JOIN
from linecomm.richmenu.models import RichMenu

# Who sees the community menu: members, suspended ones too (LIFF pages let them read, not post).
COMMUNITY_STATUSES = (MemberStatus.MEMBER, MemberStatus.SUSPENDED)


def current(session: Session, kind: str) -> RichMenu | None:
    """The current menu of this kind (None before the first deploy)."""
    return session.scalar(select(RichMenu).where(RichMenu.kind == kind, RichMenu.retired_at.is_(None))
                          .order_by(RichMenu.id.desc()).limit(1))


def any_deployed(session: Session) -> bool:
    return session.scalar(select(RichMenu.id).where(RichMenu.retired_at.is_(None)).limit(1)) is not None


def record(session: Session, kind: str, line_rich_menu_id: str, digest: str, size: tuple[int, int],
           now: datetime) -> RichMenu:
    """Make a menu just created on LINE the current one of its kind (the previous one is retired)."""
    session.execute(update(RichMenu).where(RichMenu.kind == kind, RichMenu.retired_at.is_(None))
                    .values(retired_at=now))
    menu = RichMenu(kind=kind, line_rich_menu_id=line_rich_menu_id, digest=digest, width=size[0],
                    height=size[1], created_at=now)
    session.add(menu)
    session.flush()
    return menu


def retire_missing(session: Session, present_ids: Iterable[str], now: datetime) -> None:
    """Retire current menus LINE no longer has (deleted in LINE's console, or another channel's)."""
    present = set(present_ids)
    for menu in session.scalars(select(RichMenu).where(RichMenu.retired_at.is_(None))):
        if menu.line_rich_menu_id not in present:
            menu.retired_at = now


def menu_kind_for(status: str | None) -> str:
    return COMMUNITY if status in COMMUNITY_STATUSES else JOIN


def wants_community_menu(session: Session, member_id: int, line_user_id: str) -> bool:
    """Whether this LINE user, as member `member_id`, should now see the community menu (False once they
    left, were erased, or the row now belongs to no one with this LINE id)."""
    member = session.get(Member, member_id)
    return member is not None and member.line_user_id == line_user_id and member.status in COMMUNITY_STATUSES


def user_ids_page(session: Session, community: bool, after_id: int, limit: int) -> list[tuple[int, str]]:
    """(member id, LINE user id) of following members who should see the community menu (or, with
    `community=False`, former members who should not), in id order after `after_id` (keyset pages)."""
    statuses = COMMUNITY_STATUSES if community else (MemberStatus.LEFT,)
    rows = session.execute(
        select(Member.id, Member.line_user_id)
        .where(Member.status.in_(statuses), Member.is_following.is_(True), Member.id > after_id,
               Member.line_user_id.like("U%"))
        .order_by(Member.id).limit(limit)
    ).all()
    return [(row.id, row.line_user_id) for row in rows]
