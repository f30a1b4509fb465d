"""The idea list members browse: filtered by stage and category, sorted newest / most supported / by
momentum, one page at a time by keyset (the last row's sort value and id), so the 1,000th page costs what
the first does. Only ideas whose text is published and not erased are listed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from linecomm.ideas import copy
from linecomm.ideas.models import Idea, IdeaStage
from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem, ContentState

PAGE = 20
SORTS = ("new", "support", "momentum")
_KEY = {"support": Idea.support_count, "momentum": Idea.momentum}


class BadCursor(ValueError):
    """An `after` value that is not one of ours."""


@dataclass(frozen=True)
class Listed:
    idea: Idea
    nickname: str | None


@dataclass(frozen=True)
class Page:
    rows: list[Listed]
    next_after: str | None


def parse_after(sort: str, raw: str | None) -> tuple[int, ...] | None:
    """`<id>` for newest, `<value>.<id>` for the counted sorts; BadCursor otherwise."""
    if not raw:
        return None
    parts = raw.split(".")
    if len(parts) != (1 if sort == "new" else 2) or not all(p.isascii() and p.isdigit() and len(p) <= 12
                                                            for p in parts):
        raise BadCursor(copy.BAD_CURSOR)
    return tuple(int(p) for p in parts)


def list_ideas(session: Session, *, sort: str = "new", stage: str | None = None, category: str | None = None,
               after: tuple[int, ...] | None = None, limit: int = PAGE, now: datetime | None = None) -> Page:
    if sort not in SORTS:
        sort = "new"
    stmt = (
        select(Idea, Member.nickname)
        .join(ContentItem, ContentItem.id == Idea.content_id)
        .outerjoin(Member, Member.id == Idea.member_id)
        .where(ContentItem.state == ContentState.PUBLISHED, ContentItem.redacted_at.is_(None))
    )
    if stage in IdeaStage.ALL:
        stmt = stmt.where(Idea.stage == stage)
    if category in copy.CATEGORIES:
        stmt = stmt.where(Idea.category == category)
    if sort == "new":
        if after is not None:
            stmt = stmt.where(Idea.id < after[0])
        stmt = stmt.order_by(Idea.id.desc())
    else:
        key = _KEY[sort]
        if after is not None:
            stmt = stmt.where(tuple_(key, Idea.id) < tuple_(after[0], after[1]))
        stmt = stmt.order_by(key.desc(), Idea.id.desc())
    rows = session.execute(stmt.limit(limit + 1)).all()
    listed = [Listed(idea, nickname) for idea, nickname in rows[:limit]]
    next_after = None
    if len(rows) > limit and listed:
        last = listed[-1].idea
        next_after = str(last.id) if sort == "new" else f"{getattr(last, _KEY[sort].key)}.{last.id}"
    return Page(listed, next_after)
