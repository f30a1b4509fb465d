"""Themes' privacy hook: a member's answers to theme posts (their text is a moderation post), the photos
they sent, their poll votes and reactions.

Erasing deletes the photos; answers, votes and reactions stay (no personal data in them once the member row
is anonymised), so answer counts, poll results and reaction counts keep working.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.themes import service as themes
from linecomm.themes.models import ThemeAnswer, ThemeReaction, ThemeVote

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    return {
        "theme_answers": [
            {"post_id": a.post_id, "content_id": a.content_id, "kind": a.kind, "image_status": a.image_status,
             "created_at": plain(a.created_at), "featured_at": plain(a.featured_at)}
            for a in session.scalars(select(ThemeAnswer).where(ThemeAnswer.member_id == member.id)
                                     .order_by(ThemeAnswer.id))
        ],
        "theme_votes": [
            {"post_id": v.post_id, "option": v.option_key, "created_at": plain(v.created_at),
             "updated_at": plain(v.updated_at)}
            for v in session.scalars(select(ThemeVote).where(ThemeVote.member_id == member.id).order_by(ThemeVote.id))
        ],
        "theme_reactions": [
            {"post_id": r.post_id, "reaction": r.reaction, "created_at": plain(r.created_at)}
            for r in session.scalars(select(ThemeReaction).where(ThemeReaction.member_id == member.id)
                                     .order_by(ThemeReaction.id))
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    return {"images": themes.erase_member_images(session, member.id)}


hook = PrivacyHook(
    name="themes",
    tables=("theme_answers", "theme_answer_images", "theme_votes", "theme_reactions"),
    export_member=export_member,
    erase_member=erase_member,
)
