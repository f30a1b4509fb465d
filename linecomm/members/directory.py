"""Finding members: search by nickname / LINE display name / tag / cohort / status, newest first, a page
at a time with keyset pagination on the id (fast at a million members: no OFFSET, no COUNT).

Nickname search runs on `nickname_key` (width, case and kana folded, no spaces), so 「ハナ」 finds
「はなまる」; display names are matched case-insensitively. On PostgreSQL both are substring searches
served by pg_trgm GIN indexes; SQLite scans with LIKE.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from linecomm.db import ID_MAX, dialect_name
from linecomm.members.models import Member, MemberStatus, MemberTag, Tag
from linecomm.text.normalise import nickname_key

PAGE_SIZE = 50
PROBE_WINDOW = 20_000  # members a text search reads in page order before it turns to the trigram indexes
QUERY_MAX = 100


@dataclass(frozen=True)
class MemberFilter:
    q: str = ""
    tag_id: int | None = None
    cohort: str = ""
    status: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.tag_id or self.cohort or self.status)

    def as_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"q": self.q, "tag": self.tag_id, "cohort": self.cohort, "status": self.status}
        return {k: v for k, v in params.items() if v}


@dataclass
class MemberRow:
    member: Member
    tags: list[str] = field(default_factory=list)


@dataclass
class MemberPage:
    rows: list[MemberRow]
    next_after: int | None  # pass as `after` for the next (older) page
    prev_before: int | None  # pass as `before` for the previous (newer) page


def conditions(flt: MemberFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a filter (also used for bulk tagging of a filtered selection)."""
    where: list[ColumnElement[bool]] = []
    q = unicodedata.normalize("NFKC", flt.q).strip()[:QUERY_MAX]
    if q:
        matches: list[ColumnElement[bool]] = [Member.display_name.icontains(q, autoescape=True)]
        key = nickname_key(q)
        if key:
            matches.append(Member.nickname_key.contains(key, autoescape=True))
        if q.isascii() and q.isdigit() and len(q) <= 10 and int(q) <= ID_MAX:  # an id (INTEGER: no more)
            matches.append(Member.id == int(q))
        if q.startswith("U") and len(q) == 33:
            matches.append(Member.line_user_id == q)
        where.append(or_(*matches))
    if flt.tag_id:
        where.append(exists().where(MemberTag.member_id == Member.id, MemberTag.tag_id == flt.tag_id))
    if flt.cohort:
        where.append(Member.cohort == flt.cohort.strip())
    if flt.status:
        where.append(Member.status == flt.status)
    else:
        where.append(Member.status != MemberStatus.DELETED)
    return where


def search(session: Session, flt: MemberFilter, after: int | None = None, before: int | None = None,
           page_size: int = PAGE_SIZE, probe_window: int | None = None) -> MemberPage:
    """One page of members matching `flt`, newest id first; `after`/`before` are the keyset cursors."""
    newest_first = before is None
    cursor = [Member.id > before] if before is not None else ([Member.id < after] if after is not None else [])
    where = [*conditions(flt), *cursor]
    if flt.q.strip() and dialect_name(session) == "postgresql":
        members = _text_search(session, where, cursor, newest_first, page_size + 1, probe_window or PROBE_WINDOW)
    else:
        order = Member.id.desc() if newest_first else Member.id.asc()
        members = list(session.scalars(select(Member).where(*where).order_by(order).limit(page_size + 1)))
    more = len(members) > page_size
    members = members[:page_size]
    if not newest_first:
        members.reverse()
    tags = tags_by_member(session, [m.id for m in members])
    rows = [MemberRow(m, tags.get(m.id, [])) for m in members]
    if not rows:
        return MemberPage(rows, None, None)
    has_older = more if newest_first else True
    has_newer = (after is not None) if newest_first else more
    return MemberPage(rows, rows[-1].member.id if has_older else None, rows[0].member.id if has_newer else None)


def _text_search(session: Session, where: list[ColumnElement[bool]], cursor: list[ColumnElement[bool]],
                 newest_first: bool, limit: int, window: int) -> list[Member]:
    """A text search on PostgreSQL, in two steps, because no single plan is fast for every word.

    Walking the primary key in page order and filtering stops after `limit` matches: quick for a common
    word (「はな」 matches every twelfth member), but a word whose matches all lie far from the page's
    start (「yuki 7」: every match is hundreds of thousands of ids back) makes it read most of the table.
    Collecting the matches through the trigram indexes and sorting them is the reverse: quick for a rare
    word, slow for a common one. PostgreSQL picks between the two from estimates that cannot know where
    the matches lie, and picked the first for 「yuki 7」 (294 ms at a million members).

    So: first the `window` members nearest the page's start, where any plan is cheap; if they hold a full
    page, that is the page. Otherwise the rest comes from beyond the window, sorted by an expression
    (`id + 0`) rather than the key, so PostgreSQL takes the matches from the indexes and sorts only them."""
    order = Member.id.desc() if newest_first else Member.id.asc()
    edge = session.scalar(select(Member.id).where(*cursor).order_by(order).offset(window).limit(1))
    if edge is None:  # the whole remaining range is within the window
        return list(session.scalars(select(Member).where(*where).order_by(order).limit(limit)))
    inside = Member.id > edge if newest_first else Member.id < edge
    found = list(session.scalars(select(Member).where(*where, inside).order_by(order).limit(limit)))
    if len(found) == limit:
        return found
    by_expression = Member.id + 0
    beyond = Member.id <= edge if newest_first else Member.id >= edge
    rest = session.scalars(
        select(Member).where(*where, beyond)
        .order_by(by_expression.desc() if newest_first else by_expression.asc())
        .limit(limit - len(found))
    )
    return found + list(rest)


def tags_by_member(session: Session, member_ids: list[int]) -> dict[int, list[str]]:
    if not member_ids:
        return {}
    out: dict[int, list[str]] = {}
    rows = session.execute(
        select(MemberTag.member_id, Tag.name).join(Tag, Tag.id == MemberTag.tag_id)
        .where(MemberTag.member_id.in_(member_ids)).order_by(Tag.name)
    )
    for member_id, name in rows:
        out.setdefault(member_id, []).append(name)
    return out


def cohorts(session: Session) -> list[str]:
    """Cohort labels in use, from invite codes (a handful of rows, not a scan of the members)."""
    from linecomm.members.models import InviteCode

    return sorted({c for c in session.scalars(select(InviteCode.cohort).distinct()) if c})


def get(session: Session, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def last_seen(member: Member) -> datetime | None:
    return member.last_active_at
