"""Ideas' privacy hook: a member's ideas, the ideas they support and their comments.

Erasing empties the ideas' title and description (their moderation items are redacted, and so hidden,
by moderation's hook) and forgets their photo (uploads' hook deletes the file); supports and comment rows
stay (no personal data in them once the member row is anonymised), so support counts and momentum stay
consistent with the rows.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.ideas.models import Idea, IdeaComment, IdeaSupport
from linecomm.privacy.registry import PrivacyHook, plain

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    ideas = session.scalars(select(Idea).where(Idea.member_id == member.id).order_by(Idea.id))
    supported = session.execute(select(IdeaSupport.idea_id, IdeaSupport.created_at)
                                .where(IdeaSupport.member_id == member.id).order_by(IdeaSupport.id))
    comments = session.execute(select(IdeaComment.idea_id, IdeaComment.content_id, IdeaComment.created_at)
                               .where(IdeaComment.member_id == member.id).order_by(IdeaComment.id))
    return {
        "ideas": [{"id": i.id, "title": i.title, "description": i.description, "category": i.category,
                   "stage": i.stage, "support_count": i.support_count, "created_at": plain(i.created_at)}
                  for i in ideas],
        "ideas_supported": [{"idea_id": idea_id, "at": plain(at)} for idea_id, at in supported],
        "idea_comments": [{"idea_id": idea_id, "content_id": content_id, "created_at": plain(at)}
                          for idea_id, content_id, at in comments],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    erased = session.execute(
        update(Idea).where(Idea.member_id == member.id)
        .values(title="（削除されました）", description="", photo_id=None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    return {"ideas": int(erased)}


hook = PrivacyHook(
    name="ideas",
    tables=("ideas", "idea_supports", "idea_comments"),
    export_member=export_member,
    erase_member=erase_member,
)
