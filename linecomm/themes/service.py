"""Answers to theme posts: which post a member's message answers, storing it as a community post through
the moderation core, and what staff read and feature afterwards.

A message answers a theme post while the post's answer window is open (answers_open_at ≤ now <
answers_close_at), the post has gone out (a real delivery, not a test send, has started), and the member
was among its recipients or is in its segment now (joined since, or left out by the weekly cap). When
several windows are open, the post delivered most recently wins. Functions only flush.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.chat.context import Batch
from linecomm.db import dialect_name, insert_rows_ignoring_conflicts, one_of
from linecomm.line.limits import truncate_utf16
from linecomm.members.models import Member
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.pushes import service as pushes
from linecomm.pushes.segments import Segment, conditions
from linecomm.text.quotes import quoted
from linecomm.themes.models import AnswerImage, AnswerKind, ImageStatus, ThemeAnswer, ThemePost

IMAGE_BODY = moderation.IMAGE_BODY  # what the moderation core stores as the body of an image answer
CLOSED_NOTICE_FOR = timedelta(days=2)  # after this, a message is no longer taken as a late answer
VOICE_BODY_UNITS = 80
CANDIDATES = 20


class ThemeError(ValueError):
    """A step staff cannot take on an answer; the message is Japanese, for the console."""


def ref_of(post_id: int) -> str:
    return f"theme:{post_id}"


def posts_by_ref(session: Session, refs: list[str | None]) -> dict[str, tuple[int, str]]:
    """For the refs among `refs` that name a theme post ("theme:<id>"): the post's id and title."""
    ids = {int(r.split(":", 1)[1]) for r in refs if r and r.startswith("theme:") and r.split(":", 1)[1].isdigit()}
    if not ids:
        return {}
    rows = session.execute(select(ThemePost.id, ThemePost.title).where(ThemePost.id.in_(ids))).all()
    return {ref_of(post_id): (post_id, title) for post_id, title in rows}


WINDOWS_KEY = "linecomm.themes.windows"  # session.info: the candidate posts per moment (see _candidates)
IN_SEGMENT_MEMO = "themes.in_segment"  # Batch.memo: per post, the batch's senders in its segment
ANSWERS_MEMO = "themes.answers"  # Batch.memo: the answers already taken from the batch's LINE messages
UNSTORED_MEMO = "themes.unstored"  # Batch.memo: the batch's text answers, decided, stored when it ends


def reaches(session: Session, post: ThemePost, member_id: int, now: datetime, batch: Batch | None = None) -> bool:
    """The member is in the post's segment now, or was in a batch LINE accepted for it. Within a batch of
    events, the segment is checked for all the batch's senders at once, at the first who needs it."""
    if batch is not None and member_id in batch.member_ids:
        in_segment = batch.memo.setdefault(IN_SEGMENT_MEMO, {})
        if post.id not in in_segment:
            ids = sorted(batch.member_ids)
            in_segment[post.id] = set(session.scalars(select(Member.id).where(
                one_of(session, Member.id, ids), *conditions(Segment.from_json(post.segment), now))))
        if member_id in in_segment[post.id]:
            return True
    else:
        one = select(Member.id).where(Member.id == member_id, *conditions(Segment.from_json(post.segment), now))
        if session.scalar(one.limit(1)) is not None:
            return True
    return pushes.sent_to(session, post.id, member_id)


def _windows(session: Session, member_id: int, now: datetime, *, closed_since: datetime | None = None,
             batch: Batch | None = None) -> ThemePost | None:
    for post in _candidates(session, now, closed_since):
        if reaches(session, post, member_id, now, batch):
            return post
    return None


def _candidates(session: Session, now: datetime, closed_since: datetime | None) -> list[ThemePost]:
    """The posts that went out whose window is open at `now` (or closed since `closed_since`), the newest
    first. They are the same for every message of a batch (one transaction, one `now`): read once."""
    cache: dict[tuple[datetime, datetime | None], list[ThemePost]] = session.info.setdefault(WINDOWS_KEY, {})
    key = (now, closed_since)
    if key not in cache:
        cache[key] = _read_candidates(session, now, closed_since)
    return cache[key]


def _read_candidates(session: Session, now: datetime, closed_since: datetime | None) -> list[ThemePost]:
    last = pushes.last_sent_by_post().subquery()
    stmt = select(ThemePost).join(last, last.c.post_id == ThemePost.id)
    if closed_since is None:
        stmt = stmt.where(ThemePost.answers_open_at <= now, ThemePost.answers_close_at > now)
        stmt = stmt.order_by(last.c.last.desc(), ThemePost.id.desc())
    else:
        stmt = stmt.where(ThemePost.answers_close_at <= now, ThemePost.answers_close_at > closed_since)
        stmt = stmt.order_by(ThemePost.answers_close_at.desc(), ThemePost.id.desc())
    return list(session.scalars(stmt.limit(CANDIDATES)))


def answerable_post(session: Session, member_id: int, now: datetime, batch: Batch | None = None
                    ) -> ThemePost | None:
    """The theme post a message from the member answers now (the most recently delivered), or None."""
    return _windows(session, member_id, now, batch=batch)


def recently_closed_post(session: Session, member_id: int, now: datetime, batch: Batch | None = None
                         ) -> ThemePost | None:
    """A post that reached the member whose answer window closed in the last two days (to say so)."""
    return _windows(session, member_id, now, closed_since=now - CLOSED_NOTICE_FOR, batch=batch)


@dataclass(frozen=True)
class Submitted:
    answer: ThemeAnswer
    item: ContentItem
    repeated: bool  # the same LINE message was taken before (nothing new was stored)


def record_answer(session: Session, post: ThemePost, member: Member, *, kind: str, body: str,
                  line_message_id: str, now: datetime, batch: Batch | None = None) -> Submitted:
    """Store the message as the member's answer: a theme_reply submitted to the moderation core, which
    publishes, holds or blocks it (an image under the image policy: held for review unless the policy
    publishes images at once). Image answers keep LINE's message id; the bytes come later.

    Within a batch of events a text answer is decided at once and stored when the batch ends, with the
    batch's other answers (one INSERT per table for all of them, `_store_batch_answers`); until then it has
    no id. An image answer is stored at once: its id is what the job fetching the picture is given."""
    message_id = line_message_id[:32]
    taken = _taken_from(session, message_id, batch)
    if taken is not None:
        return Submitted(*taken, repeated=True)
    image = kind == AnswerKind.IMAGE
    text = IMAGE_BODY if image else body.strip()[: moderation.BODY_MAX]
    answer = ThemeAnswer(post_id=post.id, member_id=member.id, kind=kind, line_message_id=message_id,
                         created_at=now, image_status=ImageStatus.PENDING if image else None)
    if batch is None or image:
        item = moderation.submit(session, member.id, ContentKind.THEME_REPLY, text, ref=ref_of(post.id), now=now,
                                 has_image=image)
        answer.content_id = item.id
        session.add(answer)
        session.flush()
        actions.record(session, member.id, ActionKind.THEME_ANSWER, answer_action_key(message_id),
                       ref=ref_of(post.id), content_id=item.id, at=now)
    else:
        decided = moderation.decide(session, member.id, ContentKind.THEME_REPLY, text, ref=ref_of(post.id), now=now)
        item = decided.item
        batch.memo.setdefault(UNSTORED_MEMO, []).append((decided, answer))
        batch.at_end(UNSTORED_MEMO, lambda session: _store_batch_answers(session, batch))
    if batch is not None:
        _batch_answers(session, batch)[1][message_id] = (answer, item)
    return Submitted(answer, item, repeated=False)


def _store_batch_answers(session: Session, batch: Batch) -> None:
    """Store the text answers a batch decided: their items and decisions (moderation.store_decided), then
    the answers, with one statement for all of them on PostgreSQL."""
    unstored: list[tuple[moderation.Decided, ThemeAnswer]] = batch.memo.pop(UNSTORED_MEMO, [])
    moderation.store_decided(session, [decided for decided, _ in unstored])
    for decided, answer in unstored:
        answer.content_id = decided.item.id
    # One INSERT records the batch's answers as member actions (points listen).
    actions.record_many(session, [(a.member_id, ActionKind.THEME_ANSWER, answer_action_key(a.line_message_id),
                                   ref_of(a.post_id), a.content_id) for _, a in unstored])
    if dialect_name(session) != "postgresql":
        session.add_all([answer for _, answer in unstored])
        return
    rows = [{name: getattr(answer, name) for name in ANSWER_COLUMNS} for _, answer in unstored]
    stored = dict(insert_rows_ignoring_conflicts(session, ThemeAnswer.__table__, rows, ["line_message_id"],
                                                 ("line_message_id", "id")))
    if len(stored) != len(rows):  # taken by another transaction meanwhile: the batch is handled again, one by one
        raise DuplicateAnswer("a LINE message of the batch was taken as an answer meanwhile")
    for _, answer in unstored:
        answer.id = stored[answer.line_message_id]


def answer_action_key(line_message_id: str) -> str:
    """The member action an answer is (linecomm.actions), keyed by the LINE message it came from."""
    return f"theme-answer:{line_message_id[:32]}"


ANSWER_COLUMNS = ("post_id", "member_id", "content_id", "kind", "line_message_id", "image_status", "created_at")


class DuplicateAnswer(RuntimeError):
    """Another transaction stored an answer from one of the batch's LINE messages while it was handled."""


def _taken_from(session: Session, message_id: str, batch: Batch | None) -> tuple[ThemeAnswer, ContentItem] | None:
    """The answer already taken from this LINE message and its item, if any (a replayed event adds
    nothing). Within a batch, the answers from all its messages are read at once, and those it adds are
    remembered (not stored until the batch ends)."""
    if batch is not None:
        looked_up, known = _batch_answers(session, batch)
        if message_id in looked_up or message_id in known:
            return known.get(message_id)
    existing = session.scalar(select(ThemeAnswer).where(ThemeAnswer.line_message_id == message_id))
    return None if existing is None else (existing, _item(session, existing))


def _item(session: Session, answer: ThemeAnswer) -> ContentItem:
    item = session.get(ContentItem, answer.content_id)
    assert item is not None
    return item


def _batch_answers(session: Session, batch: Batch
                   ) -> tuple[frozenset[str], dict[str, tuple[ThemeAnswer, ContentItem]]]:
    """The batch's message ids as answers store them, and the answers taken from them (read once)."""
    memo = batch.memo.get(ANSWERS_MEMO)
    if memo is None:
        ids = frozenset(m[:32] for m in batch.message_ids)
        stored = session.scalars(select(ThemeAnswer).where(ThemeAnswer.line_message_id.in_(sorted(ids)))) if ids else []
        memo = batch.memo[ANSWERS_MEMO] = (ids, {a.line_message_id: (a, _item(session, a)) for a in stored})
    return memo


def _unstored(batch: Batch | None) -> list[tuple[moderation.Decided, ThemeAnswer]]:
    return [] if batch is None else batch.memo.get(UNSTORED_MEMO, [])


def answered_before(session: Session, post_id: int, member_id: int, line_message_id: str,
                    batch: Batch | None = None) -> bool:
    """Whether the member already answered the post with another message (a refused answer, blocked by
    the moderation core, does not count: they may try again), earlier in this batch of events too."""
    message_id = line_message_id[:32]
    if any(answer.post_id == post_id and answer.member_id == member_id and answer.line_message_id != message_id
           and decided.item.state != ContentState.BLOCKED for decided, answer in _unstored(batch)):
        return True
    return session.scalar(
        select(ThemeAnswer.id).join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .where(ThemeAnswer.post_id == post_id, ThemeAnswer.member_id == member_id,
               ThemeAnswer.line_message_id != line_message_id[:32], ContentItem.state != ContentState.BLOCKED)
        .limit(1)
    ) is not None


# ---- reading answers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerRow:
    answer: ThemeAnswer
    item: ContentItem
    nickname: str | None


def answers_of(session: Session, post_id: int, state: str | None = None, before_id: int | None = None,
               limit: int = 50) -> list[AnswerRow]:
    """A post's answers, newest first (keyset pagination by answer id), with their moderation state."""
    stmt = (
        select(ThemeAnswer, ContentItem, Member.nickname)
        .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .outerjoin(Member, Member.id == ThemeAnswer.member_id)
        .where(ThemeAnswer.post_id == post_id)
    )
    if state:
        stmt = stmt.where(ContentItem.state == state)
    if before_id is not None:
        stmt = stmt.where(ThemeAnswer.id < before_id)
    rows = session.execute(stmt.order_by(ThemeAnswer.id.desc()).limit(limit)).all()
    return [AnswerRow(a, i, n) for a, i, n in rows]


def answer_counts(session: Session, post_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per post, how many answers are in each moderation state (one grouped query)."""
    if not post_ids:
        return {}
    rows = session.execute(
        select(ThemeAnswer.post_id, ContentItem.state, func.count())
        .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .where(ThemeAnswer.post_id.in_(post_ids))
        .group_by(ThemeAnswer.post_id, ContentItem.state)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for post_id, state, n in rows:
        counts.setdefault(post_id, {})[state] = int(n)
    return counts


def others_published(session: Session, post_id: int, member_id: int, limit: int = 5) -> list[AnswerRow]:
    """The newest published answers to a post by other members (what a member may read in chat)."""
    stmt = (
        select(ThemeAnswer, ContentItem, Member.nickname)
        .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .outerjoin(Member, Member.id == ThemeAnswer.member_id)
        .where(ThemeAnswer.post_id == post_id, ContentItem.state == ContentState.PUBLISHED,
               ContentItem.redacted_at.is_(None), ThemeAnswer.member_id != member_id)
        .order_by(ThemeAnswer.id.desc())
        .limit(limit)
    )
    return [AnswerRow(a, i, n) for a, i, n in session.execute(stmt).all()]


def get_answer(session: Session, answer_id: int) -> AnswerRow | None:
    row = session.execute(
        select(ThemeAnswer, ContentItem, Member.nickname)
        .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .outerjoin(Member, Member.id == ThemeAnswer.member_id)
        .where(ThemeAnswer.id == answer_id)
    ).first()
    return AnswerRow(*row) if row else None


# ---- featuring answers and quoting them in the next post ---------------------------------------------
def feature(session: Session, answer_id: int, staff_id: int | None, now: datetime) -> AnswerRow:
    """Mark a published answer as featured (offered for 「みなさんの声」 in the next post)."""
    row = get_answer(session, answer_id)
    if row is None:
        raise ThemeError("回答が見つかりません。")
    if row.item.state != ContentState.PUBLISHED or row.item.redacted_at is not None:
        raise ThemeError("公開中の回答だけをピックアップできます。")
    if row.answer.featured_at is None:
        row.answer.featured_at, row.answer.featured_by = now, staff_id
        session.flush()
    return row


def unfeature(session: Session, answer_id: int) -> AnswerRow:
    row = get_answer(session, answer_id)
    if row is None:
        raise ThemeError("回答が見つかりません。")
    row.answer.featured_at = row.answer.featured_by = None
    session.flush()
    return row


@dataclass(frozen=True)
class Voice:
    """A featured answer a marketer may quote in a new post."""

    answer_id: int
    post_id: int
    post_title: str
    nickname: str
    body: str


def featured_voices(session: Session, limit: int = 30) -> list[Voice]:
    """Featured text answers not quoted yet, still published, newest first."""
    rows = session.execute(
        select(ThemeAnswer.id, ThemeAnswer.post_id, ThemePost.title, Member.nickname, ContentItem.body)
        .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .join(ThemePost, ThemePost.id == ThemeAnswer.post_id)
        .outerjoin(Member, Member.id == ThemeAnswer.member_id)
        .where(ThemeAnswer.featured_at.is_not(None), ThemeAnswer.quoted_in_post_id.is_(None),
               ThemeAnswer.kind == AnswerKind.TEXT, ContentItem.state == ContentState.PUBLISHED,
               ContentItem.redacted_at.is_(None))
        .order_by(ThemeAnswer.featured_at.desc(), ThemeAnswer.id.desc())
        .limit(limit)
    ).all()
    return [Voice(a, p, t, n or "メンバー", b) for a, p, t, n, b in rows]


def voices_block(voices: list[Voice]) -> str:
    """The 「みなさんの声」 lines appended to a post's text."""
    if not voices:
        return ""
    lines = [f"・{v.nickname}さん{quoted(truncate_utf16(' '.join(v.body.split()), VOICE_BODY_UNITS))}" for v in voices]
    return "\n\n【みなさんの声】\n" + "\n".join(lines)


def pick_voices(session: Session, answer_ids: list[int]) -> list[Voice]:
    """The chosen featured answers, in the order they are offered; unknown or stale ids are ignored."""
    chosen = set(answer_ids)
    return [v for v in featured_voices(session, limit=200) if v.answer_id in chosen]


def mark_quoted(session: Session, answer_ids: list[int], post_id: int) -> None:
    if answer_ids:
        session.execute(update(ThemeAnswer).where(ThemeAnswer.id.in_(answer_ids)).values(quoted_in_post_id=post_id))


# ---- images ------------------------------------------------------------------------------------------
IMAGE_MAX_BYTES = 10 * 1024 * 1024  # LINE's own limit for images members send
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")  # never SVG: the console serves these


def image_of(session: Session, answer_id: int) -> AnswerImage | None:
    return session.get(AnswerImage, answer_id)


def image_answers_for(session: Session, content_ids: list[int]) -> dict[int, ThemeAnswer]:
    """The image answers behind these content items (what a moderator must look at), by content id."""
    if not content_ids:
        return {}
    rows = session.scalars(select(ThemeAnswer).where(ThemeAnswer.content_id.in_(content_ids),
                                                     ThemeAnswer.kind == AnswerKind.IMAGE))
    return {a.content_id: a for a in rows}


def store_image(session: Session, answer_id: int, data: bytes, content_type: str, now: datetime) -> str:
    """Keep the bytes LINE gave for an image answer (once); returns the answer's image status."""
    answer = session.get(ThemeAnswer, answer_id, with_for_update=dialect_name(session) == "postgresql")
    if answer is None or answer.image_status != ImageStatus.PENDING:
        return answer.image_status if answer and answer.image_status else ImageStatus.GONE
    content_type = content_type.split(";")[0].strip().lower()
    if content_type not in IMAGE_TYPES or not data or len(data) > IMAGE_MAX_BYTES:
        answer.image_status = ImageStatus.GONE
        return answer.image_status
    session.add(AnswerImage(answer_id=answer_id, content_type=content_type[:100], size=len(data), data=data,
                            fetched_at=now))
    answer.image_status = ImageStatus.STORED
    session.flush()
    return answer.image_status


def image_gone(session: Session, answer_id: int) -> None:
    session.execute(update(ThemeAnswer).where(ThemeAnswer.id == answer_id,
                                              ThemeAnswer.image_status == ImageStatus.PENDING)
                    .values(image_status=ImageStatus.GONE))


def erase_member_images(session: Session, member_id: int) -> int:
    """Delete the images a member sent (their personal data; APPI erasure). Returns how many."""
    ids = select(ThemeAnswer.id).where(ThemeAnswer.member_id == member_id)
    deleted = session.execute(delete(AnswerImage).where(AnswerImage.answer_id.in_(ids))).rowcount or 0
    session.execute(update(ThemeAnswer).where(ThemeAnswer.member_id == member_id,
                                              ThemeAnswer.kind == AnswerKind.IMAGE)
                    .values(image_status=ImageStatus.GONE))
    return int(deleted)
