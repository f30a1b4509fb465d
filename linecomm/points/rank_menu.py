"""The ranked rich menu: from which rank members see the community menu in gold (linecomm.richmenu's
RANKED menu), a marketer's setting (one row; none until saved: nobody gets it). Registered with the rich
menus as the condition on `members` they read (richmenu never imports points), and a member whose rank
moves is re-linked by the rich menus' sync job after commit (only while a rank is chosen and menus are
deployed), so a rank-up switches the menu without anyone running a command."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from linecomm.db import one_of, utcnow
from linecomm.members.models import Member
from linecomm.points.models import MemberPoints
from linecomm.points.rank_models import RankMenuSetting
from linecomm.points.ranks import Ladder, current_ladder
from linecomm.queue import enqueue_after_commit
from linecomm.richmenu import service as richmenu
from linecomm.richmenu.jobs import BACKFILL_JOB, SYNC_JOB

MEMO = "points.rank_menu"
RELINKING = "points.rank_menu.relinking"


def from_level(session: Session) -> int | None:
    """The lowest rank level that sees the ranked menu (None: nobody), on the ladder in force (a level the
    ladder no longer has means nobody)."""
    if MEMO in session.info:
        return session.info[MEMO]
    level = session.scalar(select(RankMenuSetting.from_level).where(RankMenuSetting.id == 1))
    if level is not None and level >= len(current_ladder(session).ranks):
        level = None
    session.info[MEMO] = level
    return level


class MenuError(ValueError):
    """A choice that cannot be kept (the message is Japanese, for the form)."""


def set_from_level(session: Session, level: int | None, by: str | None, now: datetime | None = None
                   ) -> tuple[int | None, int | None]:
    """Choose the rank from which members see the ranked menu (None: nobody); every member's menu is
    re-linked after commit. Returns (before, after)."""
    ladder: Ladder = current_ladder(session)
    if level is not None and not 0 < level < len(ladder.ranks):
        raise MenuError("特典メニューを表示するランクを選び直してください。")
    before = from_level(session)
    row = session.get(RankMenuSetting, 1)
    if row is None:
        row = RankMenuSetting(id=1)
        session.add(row)
    row.from_level, row.updated_by, row.updated_at = level, by and by[:200], now or utcnow()
    session.flush()
    session.info.pop(MEMO, None)
    relink_everyone(session)
    return before, level


def condition(session: Session) -> ColumnElement[bool] | None:
    """richmenu.register_ranked_condition: members whose kept rank is at or above the chosen one."""
    level = from_level(session)
    if level is None:
        return None
    return exists(select(MemberPoints.member_id).where(MemberPoints.member_id == Member.id,
                                                       MemberPoints.rank_level >= level))


def relink(session: Session, member_ids: list[int]) -> None:
    """The members' ranks moved: ask for their menus after commit (one query), when a rank is chosen and
    the menus are deployed. Many at once (a segment grant) are re-linked in bulk instead."""
    if from_level(session) is None or not member_ids or not richmenu.any_deployed(session):
        return
    if len(member_ids) > BULK_FROM:
        relink_everyone(session)
        return
    for member_id, user_id in session.execute(select(Member.id, Member.line_user_id).where(
            one_of(session, Member.id, sorted(member_ids)), Member.line_user_id.like("U%"))):
        enqueue_after_commit(session, SYNC_JOB, member_id, user_id)


def relink_everyone(session: Session) -> None:
    """Every member's menu, in bulk after commit (the choice or the ladder changed); asked once per session."""
    if not session.info.get(RELINKING) and richmenu.any_deployed(session):
        session.info[RELINKING] = True
        enqueue_after_commit(session, BACKFILL_JOB)


BULK_FROM = 100  # more members than this at once: one bulk re-link (LINE's bulk endpoints) rather than jobs


def install() -> None:
    richmenu.register_ranked_condition(condition)
