"""The member-moderator's right: see content members reported that is still published, and hide an item
pending review. The item moves to the staff queue (hidden, reason REPORTED) through moderation's service,
where staff restore or confirm it as usual. Limits: only while appointed (checked on every use, so a revoked
moderator loses the right at once), never their own content or content without a member author (staff,
official), one member-moderator hide per item, and at most the owner's daily limit per JST day — a UNIQUE
(member, day, slot) row per hide with slot 1..limit, so the limit holds in the database. Every use is
audit-logged with the member as the actor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from linecomm.ambassadors import service
from linecomm.ambassadors.models import ModeratorHide
from linecomm.audit import service as audit
from linecomm.db import dialect_name, insert_ignoring_conflicts, utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentState, ReviewReason
from linecomm.timezones import to_jst

PAGE = 30


class HideResult(Enum):
    HIDDEN = "hidden"
    NOT_MODERATOR = "not_moderator"
    GONE = "gone"  # no such item, or no longer published and reported
    OWN_CONTENT = "own_content"
    OFFICIAL = "official"  # no member author
    LIMIT = "limit"


def jst_day(now: datetime) -> str:
    local = to_jst(now)
    assert local is not None
    return local.date().isoformat()


def member_actor(member_id: int) -> audit.Actor:
    """The audit log's actor for a member's own action (no staff account)."""
    return audit.Actor(None, f"member:{member_id}")


def _reported_and_published() -> tuple[ColumnElement[bool], ...]:
    return (ContentItem.state == ContentState.PUBLISHED, ContentItem.in_queue.is_(True),
            ContentItem.review_reason == ReviewReason.REPORTED, ContentItem.redacted_at.is_(None))


@dataclass(frozen=True)
class ReportedEntry:
    item: ContentItem
    nickname: str | None


def reported(session: Session, moderator_id: int, before_id: int | None = None,
             limit: int = PAGE) -> list[ReportedEntry]:
    """Reported items members still see, newest first (keyset by id), other members' only (the queue's
    index on (in_queue, id) serves it)."""
    stmt = (select(ContentItem, Member.nickname).join(Member, Member.id == ContentItem.member_id)
            .where(*_reported_and_published(), ContentItem.member_id != moderator_id,
                   ~exists(select(ModeratorHide.id).where(ModeratorHide.content_id == ContentItem.id))))
    if before_id is not None:
        stmt = stmt.where(ContentItem.id < before_id)
    return [ReportedEntry(i, n) for i, n in session.execute(stmt.order_by(ContentItem.id.desc()).limit(limit))]


def used_today(session: Session, moderator_id: int, now: datetime) -> int:
    return int(session.scalar(select(func.count()).select_from(ModeratorHide).where(
        ModeratorHide.member_id == moderator_id, ModeratorHide.jst_day == jst_day(now))) or 0)


def hide(session: Session, moderator_id: int, content_id: int, now: datetime | None = None) -> HideResult:
    """Hide a reported, published item pending review on behalf of a member-moderator (see the module)."""
    now = now or utcnow()
    moderator = session.get(Member, moderator_id)
    if moderator is None or moderator.status != MemberStatus.MEMBER or not service.is_member_moderator(
            session, moderator_id):
        return HideResult.NOT_MODERATOR
    stmt = select(ContentItem).where(ContentItem.id == content_id, *_reported_and_published())
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()  # a report or a staff decision on the same item waits for this one
    item = session.scalar(stmt)
    if item is None or session.scalar(select(ModeratorHide.id).where(ModeratorHide.content_id == content_id)):
        return HideResult.GONE
    if item.member_id is None:
        return HideResult.OFFICIAL
    if item.member_id == moderator_id:
        return HideResult.OWN_CONTENT
    limit = service.read_rules(session).moderator_daily_limit
    day = jst_day(now)
    table = ModeratorHide.__table__
    taken = None
    for slot in range(used_today(session, moderator_id, now) + 1, limit + 1):
        taken = session.scalar(insert_ignoring_conflicts(session, table, ["member_id", "jst_day", "slot"]).values(
            member_id=moderator_id, content_id=item.id, jst_day=day, slot=slot, at=now).returning(table.c.id))
        if taken is not None:
            break
    if taken is None:
        return HideResult.LIMIT
    before = item.state
    note = f"コミュニティモデレーター（{moderator.nickname or moderator_id}）が非表示"
    moderation.hide_pending_review(session, item, note, now)
    audit.record(session, member_actor(moderator_id), "content.member_hide", "content", item.id,
                 before={"state": before}, after={"state": item.state, "in_queue": item.in_queue}, now=now)
    return HideResult.HIDDEN
