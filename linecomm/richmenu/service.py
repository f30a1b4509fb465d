"""Which rich menus are current, and who should see which (the rules; no LINE calls, flush only)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from linecomm.members.models import Member, MemberStatus
from linecomm.richmenu.layout import COMMUNITY, JOIN, RANKED
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


# The seam of who sees the ranked menu: a feature (points' ranks) registers a condition on `members`, so this
# package never imports it. None from the condition: nobody (no rank is chosen for the menu).
RankedCondition = Callable[[Session], ColumnElement[bool] | None]
_ranked_conditions: list[RankedCondition] = []


def register_ranked_condition(condition: RankedCondition) -> None:
    if condition not in _ranked_conditions:
        _ranked_conditions.append(condition)


def ranked_condition(session: Session) -> ColumnElement[bool] | None:
    parts = [c for c in (condition(session) for condition in _ranked_conditions) if c is not None]
    return or_(*parts) if parts else None


def wants_community_menu(session: Session, member_id: int, line_user_id: str) -> bool:
    """Whether this LINE user, as member `member_id`, should now see the community menu (False once they
    left, were erased, or the row now belongs to no one with this LINE id)."""
    member = session.get(Member, member_id)
    return member is not None and member.line_user_id == line_user_id and member.status in COMMUNITY_STATUSES


def menu_for(session: Session, member_id: int, line_user_id: str) -> str:
    """Which menu this LINE user should see now: JOIN (the default: not a member), COMMUNITY or RANKED."""
    if not wants_community_menu(session, member_id, line_user_id):
        return JOIN
    ranked = ranked_condition(session)
    if ranked is not None and session.scalar(select(Member.id).where(Member.id == member_id, ranked)) is not None:
        return RANKED
    return COMMUNITY


def user_ids_page(session: Session, kind: str, after_id: int, limit: int, *, split_ranked: bool = True
                  ) -> list[tuple[int, str]]:
    """(member id, LINE user id) of following members who should see the menu of `kind` (COMMUNITY,
    RANKED, or JOIN: former members, who should see the default), in id order after `after_id` (keyset
    pages). `split_ranked=False`: COMMUNITY includes the ranked members (no ranked menu to give them)."""
    statuses = (MemberStatus.LEFT,) if kind == JOIN else COMMUNITY_STATUSES
    where = [Member.status.in_(statuses), Member.is_following.is_(True), Member.id > after_id,
             Member.line_user_id.like("U%")]
    ranked = ranked_condition(session) if kind != JOIN and split_ranked else None
    if kind == RANKED:
        if ranked is None:
            return []
        where.append(ranked)
    elif ranked is not None:
        where.append(~ranked)
    rows = session.execute(
        select(Member.id, Member.line_user_id).where(*where).order_by(Member.id).limit(limit)
    ).all()
    return [(row.id, row.line_user_id) for row in rows]
