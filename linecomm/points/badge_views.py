"""Members' badges on LIFF: my page's 「バッジ」 block (the badges held, NEW for a week; the declarative ones
not earned yet, greyed, with what is left, e.g. 「あと3回」)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.liff.access import SignedInMember
from linecomm.liff.sections import register_my_page_section
from linecomm.points import badge_copy as copy
from linecomm.points import badge_grants, badges


def my_badges(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    now = utcnow()
    pending = [(p.badge, copy.condition(p.badge.kind, p.badge.action_kind, p.badge.threshold),
                copy.remaining(p.badge.kind, p.left), p.done, p.badge.threshold)
               for p in badge_grants.progress(session, member.member_id, now)]
    # "words", not "copy": `section.copy` in a template finds dict.copy before the key.
    return {"held": badges.badges_of(session, member.member_id, now), "pending": pending, "words": copy}


register_my_page_section("badges", 11, "liff/badges_my_page.html", my_badges)
