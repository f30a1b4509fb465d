"""Tags on members: create, delete, assign and remove, one member or a filtered selection at a time.
Segments (for pushes and surveys) are built on tags: `member_ids_with(session, tag_id)`."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.db import UTCDateTime, utcnow
from linecomm.members.directory import MemberFilter, conditions
from linecomm.members.models import Member, MemberStatus, MemberTag, Tag

NAME_MAX = 40


class TagError(ValueError):
    """A tag change that cannot be made, with a Japanese message."""


def clean_name(raw: str) -> str:
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not name:
        raise TagError("タグ名を入力してください。")
    if len(name) > NAME_MAX:
        raise TagError(f"タグ名は{NAME_MAX}文字以内にしてください。")
    return name


def create(session: Session, raw: str, created_by: str | None = None) -> Tag:
    name = clean_name(raw)
    tag = Tag(name=name, created_by=created_by)
    try:
        with session.begin_nested():
            session.add(tag)
            session.flush()
    except IntegrityError:
        raise TagError(f"タグ「{name}」はすでにあります。") from None
    return tag


def delete_tag(session: Session, tag: Tag) -> int:
    """Delete a tag and its assignments; returns how many members had it."""
    count = session.scalar(select(func.count()).where(MemberTag.tag_id == tag.id)) or 0
    session.execute(delete(MemberTag).where(MemberTag.tag_id == tag.id))
    session.delete(tag)
    session.flush()
    return count


def list_tags(session: Session) -> list[tuple[Tag, int]]:
    """Every tag with its member count."""
    counts = (
        select(MemberTag.tag_id, func.count().label("n")).group_by(MemberTag.tag_id).subquery()
    )
    rows = session.execute(
        select(Tag, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.tag_id == Tag.id).order_by(Tag.name)
    )
    return [(tag, n) for tag, n in rows]


def all_tags(session: Session) -> list[Tag]:
    """Every tag, by name, without counting members (cheap enough for every page)."""
    return list(session.scalars(select(Tag).order_by(Tag.name)))


def get(session: Session, tag_id: int) -> Tag | None:
    return session.get(Tag, tag_id)


def of_member(session: Session, member_id: int) -> list[Tag]:
    return list(session.scalars(
        select(Tag).join(MemberTag, MemberTag.tag_id == Tag.id).where(MemberTag.member_id == member_id)
        .order_by(Tag.name)
    ))


def assign(session: Session, member: Member, tag: Tag, now: datetime | None = None) -> bool:
    """Put `tag` on `member`; False when it was already there."""
    if member.status == MemberStatus.DELETED:
        raise TagError("削除済みのメンバーにはタグを付けられません。")
    if session.get(MemberTag, (tag.id, member.id)) is not None:
        return False
    session.add(MemberTag(tag_id=tag.id, member_id=member.id, tagged_at=now or utcnow()))
    session.flush()
    return True


def remove(session: Session, member: Member, tag: Tag) -> bool:
    result = session.execute(delete(MemberTag).where(MemberTag.tag_id == tag.id, MemberTag.member_id == member.id))
    return result.rowcount == 1


def _selection(flt: MemberFilter):  # type: ignore[no-untyped-def]
    return and_(*conditions(flt), Member.status != MemberStatus.DELETED)


def assign_to_selection(session: Session, tag: Tag, flt: MemberFilter, now: datetime | None = None) -> int:
    """Put `tag` on every member matching `flt`, in one set-based statement; returns how many got it."""
    already = exists().where(MemberTag.member_id == Member.id, MemberTag.tag_id == tag.id)
    source = select(literal(tag.id), Member.id, literal(now or utcnow(), UTCDateTime())).where(
        _selection(flt), ~already
    )
    # SQLAlchemy reports an INSERT's rowcount only when asked to keep it.
    result = session.execute(
        insert(MemberTag).from_select(["tag_id", "member_id", "tagged_at"], source)
        .execution_options(preserve_rowcount=True)
    )
    session.flush()
    return max(result.rowcount or 0, 0)


def remove_from_selection(session: Session, tag: Tag, flt: MemberFilter) -> int:
    """Take `tag` off every member matching `flt`; returns how many lost it."""
    chosen = select(Member.id).where(_selection(flt))
    result = session.execute(
        delete(MemberTag).where(MemberTag.tag_id == tag.id, MemberTag.member_id.in_(chosen))
    )
    return max(result.rowcount or 0, 0)


def member_ids_with(session: Session, tag_id: int):  # type: ignore[no-untyped-def]
    """A SELECT of the ids of members carrying the tag (for segments; compose, don't load)."""
    return select(MemberTag.member_id).where(MemberTag.tag_id == tag_id)
