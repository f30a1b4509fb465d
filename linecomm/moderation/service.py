"""The moderation core every content feature calls.

`submit` decides what happens to a new piece of member content (published, held for review, or
blocked) from the member's standing, the NG-word list, the personal-data rule and, for pictures, the image
policy; `screen` tells the same for any text (a nickname); `report`
records a member's report (通報) and hides the item once enough distinct members reported it;
moderators `approve` or `hide` queued items. Every move is kept in `content_decisions`. Functions only
flush; the caller commits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from linecomm.db import dialect_name, insert_ignoring_conflicts, insert_rows_ignoring_conflicts, one_of, utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import copy, ngwords, personal_data, seams
from linecomm.moderation.matcher import Verdict
from linecomm.moderation.models import (
    ContentDecision,
    ContentItem,
    ContentReport,
    ContentState,
    ImagePolicy,
    MemberSanction,
    ModerationPolicy,
    NgAction,
    ReviewReason,
    SanctionKind,
)

BODY_MAX = 5000
IMAGE_BODY = "（画像）"  # the body of content that is a picture (a theme answer's photo): no words to screen
DEFAULT_REPORT_THRESHOLD = 3


class ModerationError(ValueError):
    """A moderation step that cannot be taken, with a Japanese message for the console."""


class BlockedReason:
    NG_WORD = "ng_word"
    SUSPENDED = "suspended"
    NOT_MEMBER = "not_member"


def can_post(member: Member | None) -> bool:
    """Whether the member may post: members may, suspended members (and everyone else) may not."""
    return member is not None and member.status == MemberStatus.MEMBER


def policy(session: Session) -> ModerationPolicy:
    row = session.get(ModerationPolicy, 1)
    if row is None:
        row = ModerationPolicy(id=1, report_hide_threshold=DEFAULT_REPORT_THRESHOLD, image_posts=ImagePolicy.HOLD)
        session.add(row)
        session.flush()
    return row


def read_policy(session: Session) -> ModerationPolicy:
    """The policy as it stands, for pages that only read (a reader session must not create the row: on
    SQLite that write waits for, or fails on, the lock a webhook or job holds): the row, or the defaults
    while it does not exist yet (not added to the session)."""
    return session.get(ModerationPolicy, 1) or ModerationPolicy(
        id=1, report_hide_threshold=DEFAULT_REPORT_THRESHOLD, image_posts=ImagePolicy.HOLD, hold_personal_data=True)


def set_report_threshold(session: Session, threshold: int, now: datetime | None = None) -> tuple[int, int]:
    if not 1 <= threshold <= 100:
        raise ModerationError("非表示にする通報数は1から100の間で指定してください。")
    row = policy(session)
    before = row.report_hide_threshold
    row.report_hide_threshold, row.updated_at = threshold, now or utcnow()
    session.flush()
    return before, threshold


def set_image_policy(session: Session, value: str, now: datetime | None = None) -> tuple[str, str]:
    """Choose what happens to content with an image: ImagePolicy.HOLD (a moderator approves it first) or
    ImagePolicy.PUBLISH (published at once; reports can still hide it). Applies to new content only."""
    if value not in ImagePolicy.ALL:
        raise ModerationError("写真の扱いは「確認後に公開」か「すぐに公開」から選んでください。")
    row = policy(session)
    before = row.image_posts
    row.image_posts, row.updated_at = value, now or utcnow()
    session.flush()
    return before, value


def set_personal_data_rule(session: Session, on: bool, now: datetime | None = None) -> tuple[bool, bool]:
    """Switch the built-in personal-data rule (hold content with phone numbers, e-mail addresses, LINE IDs
    or addresses for review) on or off. Applies to new content only."""
    row = policy(session)
    before = row.hold_personal_data
    row.hold_personal_data, row.updated_at = on, now or utcnow()
    session.flush()
    ngwords.forget_screen(session)
    return before, on


@dataclass(frozen=True)
class Screening:
    """What a text triggers: the NG-word verdict, and the personal data found while the rule is on."""

    verdict: Verdict
    personal: tuple[str, ...] = ()

    @property
    def refused_as_name(self) -> bool:
        """Whether a nickname saying this must be refused: an NG word would block or hold it, or the
        personal-data rule would hold it."""
        return self.verdict.action in (NgAction.BLOCK, NgAction.HOLD) or bool(self.personal)


def screen(session: Session, text: str) -> Screening:
    """Check `text` against the NG-word list and, while it is on, the personal-data rule. The list and
    the rule are read once per transaction (a batch of answers shares them); changing either in the same
    session forgets them (`ngwords.forget_screen`)."""
    rules = session.info.get(ngwords.SCREEN_KEY)
    if rules is None:
        row = session.get(ModerationPolicy, 1)  # read, not created: no row yet means the defaults (rule on)
        rules = session.info[ngwords.SCREEN_KEY] = (row is None or row.hold_personal_data, ngwords.matcher(session))
    hold_personal_data, matcher = rules
    found = personal_data.find(text) if hold_personal_data else ()
    return Screening(matcher.check(text), found)


def personal_data_labels(item: ContentItem) -> list[str]:
    """The kinds of personal data the rule found in `item`, in Japanese (「電話番号」…)."""
    return personal_data.labels(item.personal_data)


def _decide(session: Session, item: ContentItem, action: str, to_state: str, staff_id: int | None,
            note: str | None, now: datetime) -> None:
    session.add(ContentDecision(content_id=item.id, staff_id=staff_id, action=action, from_state=item.state,
                                to_state=to_state, note=(note or None) and note[:500], at=now))
    before, item.state = item.state, to_state
    if before != to_state:
        seams.tell(session, item, before, now)


def submit(session: Session, member_id: int, kind: str, body: str, ref: str | None = None,
           now: datetime | None = None, *, has_image: bool = False) -> ContentItem:
    """Take a member's content and decide its state (`decide`), and add it and its first decision to the
    session (flushed: the item has its id)."""
    decided = decide(session, member_id, kind, body, ref, now, has_image=has_image)
    session.add(decided.item)
    session.flush()
    # The decision is flushed with whatever the caller adds next (the answer pointing at the item).
    session.add(_submitted(decided, decided.item.id))
    return decided.item


@dataclass(frozen=True)
class Decided:
    """A member's content decided but not stored yet: the item (no id) and the note of its first decision."""

    item: ContentItem
    note: str | None


def decide(session: Session, member_id: int, kind: str, body: str, ref: str | None = None,
           now: datetime | None = None, *, has_image: bool = False) -> Decided:
    """Decide what happens to a member's content, without storing it (`submit` stores one at once,
    `store_decided` a batch): BLOCKED (NG word with the block action, a suspended member, not a member),
    HELD (personal data while the rule is on, an NG word with the hold action, or — `has_image` — a picture
    while the image policy holds them: queued, invisible until approved), or PUBLISHED (queued for review
    afterwards when an NG word with the flag action matched).

    The item records the NG-word verdict (`ng_action`, `ng_terms`) and the personal data found
    (`personal_data`); `notice_for(session, item)` gives what to tell the member."""
    body = (body or "").strip()
    if not body:
        raise ValueError("content body is empty")
    if len(body) > BODY_MAX:
        raise ValueError(f"content body is longer than {BODY_MAX} characters")
    now = now or utcnow()
    member = session.get(Member, member_id)
    screening = screen(session, body)
    verdict = screening.verdict
    item = ContentItem(member_id=member_id if member else None, kind=kind[:32], ref=ref and ref[:120], body=body,
                       in_queue=False, report_count=0, created_at=now, ng_action=verdict.action,
                       ng_terms=json.dumps(verdict.terms, ensure_ascii=False) if verdict.matches else None,
                       personal_data=",".join(screening.personal) or None, review_reason=None,
                       blocked_reason=None, published_at=None)
    note = _terms_note(verdict) if verdict.matches else None
    if member is None or member.status not in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        item.state, item.blocked_reason, note = ContentState.BLOCKED, BlockedReason.NOT_MEMBER, "メンバーではありません"
    elif member.status == MemberStatus.SUSPENDED:
        item.state, item.blocked_reason, note = ContentState.BLOCKED, BlockedReason.SUSPENDED, "利用停止中"
    elif verdict.action == NgAction.BLOCK:
        item.state, item.blocked_reason = ContentState.BLOCKED, BlockedReason.NG_WORD
    elif screening.personal:
        item.state, item.in_queue, item.review_reason = ContentState.HELD, True, ReviewReason.PERSONAL_DATA
        note = "; ".join(filter(None, [note, "個人情報の可能性: " + "、".join(personal_data_labels(item))]))
    elif verdict.action == NgAction.HOLD:
        item.state, item.in_queue, item.review_reason = ContentState.HELD, True, ReviewReason.HELD
    elif has_image and policy(session).image_posts == ImagePolicy.HOLD:
        # Words cannot screen a picture: a moderator looks at it before anyone else can.
        item.state, item.in_queue, item.review_reason = ContentState.HELD, True, ReviewReason.IMAGE
        note = "; ".join(filter(None, [note, "写真のため確認後に公開"]))
    else:
        item.state, item.published_at = ContentState.PUBLISHED, now
        if verdict.action == NgAction.FLAG:
            item.in_queue, item.review_reason = True, ReviewReason.FLAGGED
    return Decided(item, note)


def _submitted_row(decided: Decided, content_id: int) -> dict[str, Any]:
    """The item's first decision (`content_decisions` columns): submitted, into the state it was decided."""
    return {"content_id": content_id, "staff_id": None, "action": "submitted", "from_state": None,
            "to_state": decided.item.state, "note": decided.note, "at": decided.item.created_at}


def _submitted(decided: Decided, content_id: int) -> ContentDecision:
    return ContentDecision(**_submitted_row(decided, content_id))


ITEM_COLUMNS = ("id", "member_id", "kind", "ref", "body", "state", "in_queue", "review_reason", "blocked_reason",
                "ng_action", "ng_terms", "personal_data", "report_count", "created_at", "published_at")


def store_decided(session: Session, batch: list[Decided]) -> None:
    """Store decided items and their first decisions, giving each item its id: on PostgreSQL with one
    statement per table whatever the number (the ids are taken from the sequence first), elsewhere through
    the session's unit of work. The items stay out of the session (plain rows written by the statements)."""
    if not batch:
        return
    if dialect_name(session) != "postgresql":
        session.add_all([d.item for d in batch])
        session.flush()
        session.add_all([_submitted(d, d.item.id) for d in batch])
        return
    sequence = func.pg_get_serial_sequence(ContentItem.__tablename__, "id")
    ids = session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(batch)))).all()
    for decided, item_id in zip(batch, ids, strict=True):
        decided.item.id = int(item_id)
    items = [{name: getattr(d.item, name) for name in ITEM_COLUMNS} for d in batch]
    decisions = [_submitted_row(d, d.item.id) for d in batch]
    stored = insert_rows_ignoring_conflicts(session, ContentItem.__table__, items, ["id"], "id")
    if len(stored) != len(items):
        raise RuntimeError("content item ids taken from the sequence were already used")
    insert_rows_ignoring_conflicts(session, ContentDecision.__table__, decisions, ["id"], "id")


def _terms_note(verdict: Verdict) -> str:
    return "NGワード: " + "、".join(verdict.terms)


def verdict_terms(item: ContentItem) -> list[str]:
    return json.loads(item.ng_terms) if item.ng_terms else []


def notice_for(session: Session, item: ContentItem) -> list[dict]:
    """What to tell the member who submitted `item` (empty when it was simply published)."""
    if item.state == ContentState.HELD:
        if item.review_reason == ReviewReason.PERSONAL_DATA:
            return copy.held_for_personal_data()
        return copy.held_for_review()
    if item.state != ContentState.BLOCKED:
        return []
    if item.blocked_reason == BlockedReason.SUSPENDED and item.member_id is not None:
        return copy.suspended(suspension_reason(session, item.member_id))
    if item.blocked_reason == BlockedReason.NOT_MEMBER:
        return copy.not_a_member()
    return copy.blocked_by_ng_word()


def suspension_reason(session: Session, member_id: int) -> str | None:
    """The reason given with the member's latest suspension."""
    return session.scalar(
        select(MemberSanction.reason)
        .where(MemberSanction.member_id == member_id, MemberSanction.kind == SanctionKind.SUSPEND)
        .order_by(MemberSanction.id.desc())
        .limit(1)
    )


class ReportResult(Enum):
    ACCEPTED = "accepted"
    HIDDEN = "hidden"  # accepted, and this report hid the item pending review
    DUPLICATE = "duplicate"
    NOT_VISIBLE = "not_visible"  # no such item, or it is not published
    OWN_CONTENT = "own_content"
    NOT_MEMBER = "not_member"


def report(session: Session, content_id: int, reporter_member_id: int, reason: str | None = None,
           now: datetime | None = None) -> ReportResult:
    """Record a member's report of published content; once `report_hide_threshold` distinct members
    reported it (counting since a moderator last approved it), it is hidden pending review."""
    now = now or utcnow()
    reporter = session.get(Member, reporter_member_id)
    if reporter is None or reporter.status != MemberStatus.MEMBER:
        return ReportResult.NOT_MEMBER
    stmt = select(ContentItem).where(ContentItem.id == content_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()  # concurrent reports count one after the other
    item = session.scalar(stmt)
    if item is None or item.state != ContentState.PUBLISHED:
        return ReportResult.NOT_VISIBLE
    if item.member_id == reporter.id:
        return ReportResult.OWN_CONTENT
    table = ContentReport.__table__
    inserted = session.scalar(
        insert_ignoring_conflicts(session, table, ["content_id", "reporter_member_id"]).values(
            content_id=item.id, reporter_member_id=reporter.id, reason=(reason or None) and reason[:200],
            created_at=now,
        ).returning(table.c.id)
    )
    if inserted is None:
        return ReportResult.DUPLICATE
    item.report_count = session.scalar(
        select(func.count()).where(ContentReport.content_id == item.id)
    ) or 0
    since = select(func.count()).where(ContentReport.content_id == item.id)
    if item.decided_at is not None:
        since = since.where(ContentReport.created_at > item.decided_at)
    recent = session.scalar(since) or 0
    item.in_queue, item.review_reason = True, ReviewReason.REPORTED
    if recent >= policy(session).report_hide_threshold:
        _decide(session, item, "auto_hidden", ContentState.HIDDEN, None, f"通報{recent}件", now)
        session.flush()
        return ReportResult.HIDDEN
    session.flush()
    return ReportResult.ACCEPTED


def flag_for_review(session: Session, notes: dict[int, str], reason: str, now: datetime | None = None) -> int:
    """Put published items in the queue to be reviewed afterwards (they stay visible), each with its note
    in its history: one UPDATE and one INSERT whatever the number. Items already queued (flagged or reported
    first) keep their reason and get the note in their history too (one more query, only then). Returns how
    many were queued."""
    if not notes:
        return 0
    now = now or utcnow()
    queued = session.execute(
        update(ContentItem).where(one_of(session, ContentItem.id, sorted(notes)),
                                  ContentItem.state == ContentState.PUBLISHED, ContentItem.in_queue.is_(False))
        .values(in_queue=True, review_reason=reason).returning(ContentItem.id)
        .execution_options(synchronize_session=False)).scalars().all()
    noted = set(queued)
    if len(noted) < len(notes):
        noted.update(session.scalars(select(ContentItem.id).where(
            one_of(session, ContentItem.id, sorted(set(notes) - noted)),
            ContentItem.state == ContentState.PUBLISHED, ContentItem.in_queue.is_(True))))
    rows = [{"content_id": content_id, "staff_id": None, "action": "flagged", "from_state": ContentState.PUBLISHED,
             "to_state": ContentState.PUBLISHED, "note": notes[content_id][:500], "at": now}
            for content_id in sorted(noted)]
    if rows:
        session.execute(insert(ContentDecision), rows)
        for content_id in queued:  # loaded items follow the statement
            item = session.identity_map.get(session.identity_key(ContentItem, content_id))
            if item is not None:
                session.expire(item, ["in_queue", "review_reason"])
    return len(queued)


def approve(session: Session, item: ContentItem, staff_id: int, note: str | None = None,
            now: datetime | None = None) -> tuple[str, str]:
    """Publish a queued item (held, flagged, reported or hidden) and take it off the queue. An item queued
    while published (flagged, reported under the threshold, farming) stays published: its clear listeners
    hear the reason it was queued for (seams.tell_cleared)."""
    if item.state == ContentState.BLOCKED or item.redacted_at is not None:
        raise ModerationError("この投稿は承認できません（投稿時に拒否されたか、削除済みです）。")
    now = now or utcnow()
    before = item.state
    cleared = item.review_reason if before == ContentState.PUBLISHED and item.in_queue else None
    _decide(session, item, "approved", ContentState.PUBLISHED, staff_id, note, now)
    item.published_at = item.published_at or now
    item.in_queue, item.review_reason = False, None
    item.decided_at, item.decided_by = now, staff_id
    session.flush()
    if cleared is not None:
        seams.tell_cleared(session, item, cleared, now)
    return before, item.state


def hide(session: Session, item: ContentItem, staff_id: int, note: str | None = None,
         now: datetime | None = None) -> tuple[str, str]:
    """Hide an item from members and take it off the queue."""
    if item.state == ContentState.BLOCKED:
        raise ModerationError("投稿時に拒否された投稿は、もともと表示されていません。")
    now = now or utcnow()
    before = item.state
    _decide(session, item, "hidden", ContentState.HIDDEN, staff_id, note, now)
    item.in_queue, item.review_reason = False, None
    item.decided_at, item.decided_by = now, staff_id
    session.flush()
    return before, item.state


def hide_pending_review(session: Session, item: ContentItem, note: str, now: datetime | None = None) -> bool:
    """A member-moderator's hide of a reported, published item: hidden from members and left in the queue
    (reason REPORTED) for staff to restore or confirm, as when reports reach the threshold. False when the
    item is no longer published (the caller tells the member)."""
    if item.state != ContentState.PUBLISHED or item.redacted_at is not None:
        return False
    now = now or utcnow()
    _decide(session, item, "member_hidden", ContentState.HIDDEN, None, note, now)
    item.in_queue, item.review_reason = True, ReviewReason.REPORTED
    session.flush()
    return True


def supersede(session: Session, item: ContentItem, now: datetime | None = None) -> None:
    """The member replaced this content with an edited version (submitted as a new item): the old one
    leaves the members' view and the queue, so no moderator decides on words nobody will see."""
    if item.state == ContentState.BLOCKED or item.state == ContentState.HIDDEN and not item.in_queue:
        return
    now = now or utcnow()
    _decide(session, item, "superseded", ContentState.HIDDEN, None, "編集により差し替え", now)
    item.in_queue, item.review_reason = False, None
    session.flush()


@dataclass(frozen=True)
class QueueEntry:
    item: ContentItem
    nickname: str | None
    member_status: str | None


def queue(session: Session, reason: str | None = None, before_id: int | None = None,
          limit: int = 30) -> list[QueueEntry]:
    """Items waiting for a moderator, newest first (keyset pagination by id)."""
    stmt = (
        select(ContentItem, Member.nickname, Member.status)
        .outerjoin(Member, Member.id == ContentItem.member_id)
        .where(ContentItem.in_queue.is_(True))
    )
    if reason:
        stmt = stmt.where(ContentItem.review_reason == reason)
    if before_id is not None:
        stmt = stmt.where(ContentItem.id < before_id)
    rows = session.execute(stmt.order_by(ContentItem.id.desc()).limit(limit)).all()
    return [QueueEntry(item, nickname, status) for item, nickname, status in rows]


def queue_size(session: Session) -> int:
    return session.scalar(select(func.count()).where(ContentItem.in_queue.is_(True))) or 0


def history(session: Session, content_id: int) -> list[ContentDecision]:
    return list(session.scalars(
        select(ContentDecision).where(ContentDecision.content_id == content_id).order_by(ContentDecision.id)
    ))


def reports_of(session: Session, content_id: int) -> list[ContentReport]:
    return list(session.scalars(
        select(ContentReport).where(ContentReport.content_id == content_id).order_by(ContentReport.id)
    ))


def content_of(session: Session, member_id: int, limit: int = 50) -> list[ContentItem]:
    return list(session.scalars(
        select(ContentItem).where(ContentItem.member_id == member_id).order_by(ContentItem.id.desc()).limit(limit)
    ))


def visible(session: Session, kind: str, ref: str, limit: int = 100) -> list[ContentItem]:
    """Published items for one thing (a theme, a product), oldest first: what members may read."""
    return list(session.scalars(
        select(ContentItem)
        .where(ContentItem.kind == kind, ContentItem.ref == ref, ContentItem.state == ContentState.PUBLISHED)
        .order_by(ContentItem.id)
        .limit(limit)
    ))
