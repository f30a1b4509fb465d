"""Moderation's privacy hook: a member's posts, the reports they made and the notices moderators gave them.

Erasing empties the posts' bodies (a visible one is hidden, with a decision recorded) and the reasons of
their reports; the rows stay, so post and report counts keep working.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.moderation.models import ContentDecision, ContentItem, ContentReport, ContentState, MemberSanction
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    return {
        "posts": [
            {"id": i.id, "kind": i.kind, "ref": i.ref, "body": i.body, "state": i.state,
             "created_at": plain(i.created_at)}
            for i in session.scalars(select(ContentItem).where(ContentItem.member_id == member.id)
                                     .order_by(ContentItem.id))
        ],
        "reports_made": [
            {"content_id": r.content_id, "reason": r.reason, "created_at": plain(r.created_at)}
            for r in session.scalars(select(ContentReport).where(ContentReport.reporter_member_id == member.id)
                                     .order_by(ContentReport.id))
        ],
        "notices_from_moderators": [
            {"kind": s.kind, "reason": s.reason, "created_at": plain(s.created_at)}
            for s in session.scalars(select(MemberSanction).where(MemberSanction.member_id == member.id)
                                     .order_by(MemberSanction.id))
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    posts = list(session.scalars(select(ContentItem).where(ContentItem.member_id == member.id)))
    for item in posts:
        if item.state in (ContentState.PUBLISHED, ContentState.HELD):
            session.add(ContentDecision(content_id=item.id, action="erased", from_state=item.state,
                                        to_state=ContentState.HIDDEN, note="メンバーデータ削除", at=now))
            item.state = ContentState.HIDDEN
        item.body, item.ng_terms, item.in_queue, item.redacted_at = "", None, False, now
    session.execute(update(ContentReport).where(ContentReport.reporter_member_id == member.id).values(reason=None))
    return {"posts": len(posts)}


hook = PrivacyHook(
    name="moderation",
    tables=("content_items", "content_decisions", "content_reports", "member_sanctions"),
    export_member=export_member,
    erase_member=erase_member,
)
