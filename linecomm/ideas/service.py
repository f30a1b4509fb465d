"""The rules of ideas: submitting one (through the moderation core), editing it, supporting it once and
withdrawing, commenting, and what a member may see. Functions only flush; the entry point commits and
side effects (a chat notice) are enqueued to run after commit.

Members edit only their own idea, and only while it is 募集中 with no supporter yet (after that the
supporters backed the words they read). Supports are rows of `idea_supports` (one per member and idea, a
database constraint); the counters on `ideas` change in the same statement sequence as the rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import ColumnElement, and_, delete, exists, func, literal, select, update
from sqlalchemy.orm import Session

from linecomm.actions.service import ActionKind, record, withdraw
from linecomm.db import insert_ignoring_conflicts
from linecomm.ideas import copy
from linecomm.ideas.models import Idea, IdeaComment, IdeaSettings, IdeaStage, IdeaSupport
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import seams
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.pushes.schedule import jst_day_start
from linecomm.text import limits
from linecomm.timezones import JST

MOMENTUM_DAYS = 7
DEFAULT_THRESHOLD = 100
DEFAULT_WINDOW_DAYS = 60


# ---- settings -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    threshold: int = DEFAULT_THRESHOLD
    window_days: int = DEFAULT_WINDOW_DAYS


def thresholds(session: Session) -> Thresholds:
    """The threshold and window in force (the defaults until a marketer saves them); reads only."""
    row = session.get(IdeaSettings, 1)
    return Thresholds() if row is None else Thresholds(row.threshold, row.window_days)


def settings_row(session: Session) -> IdeaSettings:
    """The settings row, made with the defaults when there is none yet (writers only)."""
    row = session.get(IdeaSettings, 1)
    if row is None:  # two first writers at once: one inserts, the other finds its row
        session.execute(insert_ignoring_conflicts(session, IdeaSettings.__table__, ["id"]).values(
            id=1, threshold=DEFAULT_THRESHOLD, window_days=DEFAULT_WINDOW_DAYS))
        row = session.get(IdeaSettings, 1, populate_existing=True)
        assert row is not None
    return row


# ---- time -----------------------------------------------------------------------------------------------
def jst_today(now: datetime):  # noqa: ANN201  (a date)
    return now.astimezone(JST).date()


def momentum_since(now: datetime) -> datetime:
    """The start of the momentum window: today and the 6 Japan-time days before it."""
    return jst_day_start(jst_today(now) - timedelta(days=MOMENTUM_DAYS - 1))


def days_left(idea: Idea, now: datetime) -> int | None:
    """Japan-time days until the window ends (1 on its last day), None when the idea is not gathering."""
    if idea.stage != IdeaStage.OPEN or idea.window_ends_at is None:
        return None
    return max(0, (idea.window_ends_at.astimezone(JST).date() - jst_today(now)).days)


def progress_percent(idea: Idea) -> int:
    return min(100, idea.support_count * 100 // max(1, idea.threshold))


# ---- visibility -----------------------------------------------------------------------------------------
def visible_item(content_id: ColumnElement[int]) -> ColumnElement[bool]:
    """The content item is published and not erased: what members may see."""
    return exists(select(literal(1)).where(ContentItem.id == content_id, ContentItem.state == ContentState.PUBLISHED,
                                           ContentItem.redacted_at.is_(None)))


def visible_idea(session: Session, idea_id: int) -> Idea | None:
    """The idea when members may see it (published, not hidden or erased)."""
    return session.scalar(select(Idea).where(Idea.id == idea_id, visible_item(Idea.content_id)))


@dataclass(frozen=True)
class ShownComment:
    id: int
    content_id: int
    nickname: str | None
    body: str
    created_at: datetime
    mine: bool


def comments_of(session: Session, idea_id: int, member_id: int, limit: int = 100) -> list[ShownComment]:
    """The idea's published comments, oldest first."""
    rows = session.execute(
        select(IdeaComment.id, IdeaComment.content_id, Member.nickname, ContentItem.body, IdeaComment.created_at,
               IdeaComment.member_id)
        .join(ContentItem, ContentItem.id == IdeaComment.content_id)
        .outerjoin(Member, Member.id == IdeaComment.member_id)
        .where(IdeaComment.idea_id == idea_id, ContentItem.state == ContentState.PUBLISHED,
               ContentItem.redacted_at.is_(None))
        .order_by(IdeaComment.id).limit(limit)
    ).all()
    return [ShownComment(r[0], r[1], r[2], r[3], r[4], r[5] == member_id) for r in rows]


def supports(session: Session, idea_id: int, member_id: int) -> bool:
    return session.scalar(select(exists().where(IdeaSupport.idea_id == idea_id,
                                                IdeaSupport.member_id == member_id))) or False


def nickname_of(session: Session, member_id: int | None) -> str | None:
    return None if member_id is None else session.scalar(select(Member.nickname).where(Member.id == member_id))


# ---- submitting -----------------------------------------------------------------------------------------
@dataclass
class Draft:
    title: str = ""
    description: str = ""
    category: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, title: str, description: str, category: str) -> Draft:
        """The form's fields checked; `errors` says what is wrong beside each field, in Japanese."""
        draft = cls(title.strip()[:copy.TITLE_MAX * 4], description.strip()[:copy.DESCRIPTION_MAX * 4],
                    category.strip()[:40])
        if not draft.title:
            draft.errors["title"] = copy.TITLE_REQUIRED
        elif len(draft.title) > copy.TITLE_MAX:
            draft.errors["title"] = limits.too_long(copy.TITLE_MAX, len(draft.title))
        if not draft.description:
            draft.errors["description"] = copy.DESCRIPTION_REQUIRED
        elif len(draft.description) > copy.DESCRIPTION_MAX:
            draft.errors["description"] = limits.too_long(copy.DESCRIPTION_MAX, len(draft.description))
        if draft.category not in copy.CATEGORIES:
            draft.errors["category"] = copy.CATEGORY_REQUIRED
        return draft

    @property
    def body(self) -> str:
        """The text the moderation core screens: the title and the description."""
        return f"{self.title}\n{self.description}"


def submit(session: Session, member_id: int, draft: Draft, now: datetime, photo_id: str | None = None) -> Idea:
    """Store a new idea and put its text through the moderation core (a photo holds it like any picture,
    under the image policy); published at once unless held or blocked. The caller checked `draft.errors`."""
    assert not draft.errors
    item = moderation.submit(session, member_id, ContentKind.IDEA, draft.body, None, now,
                             has_image=photo_id is not None)
    limits = thresholds(session)
    idea = Idea(member_id=member_id, content_id=item.id, title=draft.title, description=draft.description,
                category=draft.category, photo_id=photo_id, stage=IdeaStage.OPEN, support_count=0, comment_count=0,
                momentum=0, threshold=limits.threshold, window_days=limits.window_days, created_at=now,
                updated_at=now)
    session.add(idea)
    session.flush()
    item.ref = f"idea:{idea.id}"
    if item.state == ContentState.PUBLISHED:
        publish(session, idea, now)
    return idea


def publish(session: Session, idea: Idea, now: datetime) -> None:
    """The idea is published for the first time: its window starts (ending at a Japan-time midnight) and
    the author's IDEA_SUBMITTED action is recorded (once: its key is the idea's)."""
    if idea.published_at is not None:
        return
    idea.published_at = now
    idea.window_ends_at = jst_day_start(jst_today(now) + timedelta(days=idea.window_days))
    if idea.member_id is not None:
        record(session, idea.member_id, ActionKind.IDEA_SUBMITTED, f"idea-submitted:{idea.id}",
               ref=f"idea:{idea.id}", content_id=idea.content_id, at=now)


def content_state(session: Session, idea: Idea) -> str | None:
    return session.scalar(select(ContentItem.state).where(ContentItem.id == idea.content_id))


def can_edit(idea: Idea, member_id: int) -> bool:
    return idea.member_id == member_id and idea.stage == IdeaStage.OPEN and idea.support_count == 0


def edit(session: Session, idea: Idea, member_id: int, draft: Draft, now: datetime) -> bool:
    """Change the member's own idea while `can_edit`; the new text goes through moderation again (the old
    item is replaced). False when editing is not allowed."""
    locked = session.scalar(select(Idea).where(Idea.id == idea.id).with_for_update()
                            .execution_options(populate_existing=True))
    if locked is None or not can_edit(locked, member_id):
        return False
    old = session.get(ContentItem, locked.content_id)
    item = moderation.submit(session, member_id, ContentKind.IDEA, draft.body, f"idea:{locked.id}", now,
                             has_image=locked.photo_id is not None)
    if old is not None:
        moderation.supersede(session, old, now)  # members see the new text only
    locked.content_id, locked.title, locked.description = item.id, draft.title, draft.description
    locked.category, locked.updated_at = draft.category, now
    if item.state == ContentState.PUBLISHED:
        publish(session, locked, now)
    session.flush()
    return True


# ---- supporting -----------------------------------------------------------------------------------------
class SupportOutcome(Enum):
    SUPPORTED = "supported"
    ALREADY = "already"
    WITHDRAWN = "withdrawn"
    NOT_SUPPORTING = "not_supporting"
    OWN = "own"
    CLOSED = "closed"
    NOT_FOUND = "not_found"
    NOT_MEMBER = "not_member"


@dataclass(frozen=True)
class SupportResult:
    outcome: SupportOutcome
    reached: bool = False  # this support took the idea to its threshold


def _check(session: Session, idea_id: int, member_id: int) -> tuple[Idea | None, SupportOutcome | None]:
    member = session.get(Member, member_id)
    if member is None or member.status != MemberStatus.MEMBER:
        return None, SupportOutcome.NOT_MEMBER
    idea = visible_idea(session, idea_id)
    if idea is None:
        return None, SupportOutcome.NOT_FOUND
    if idea.member_id == member_id:
        return idea, SupportOutcome.OWN
    if idea.stage not in IdeaStage.SUPPORTABLE:
        return idea, SupportOutcome.CLOSED
    return idea, None


def support(session: Session, idea_id: int, member_id: int, now: datetime, liff_id: str) -> SupportResult:
    """Support the idea once (a second support changes nothing) and record IDEA_SUPPORTED; the counters
    move with the row. Reaching the threshold moves a 募集中 idea to 検討中 (`stages.reach`)."""
    idea, refused = _check(session, idea_id, member_id)
    if refused is not None or idea is None:
        return SupportResult(refused or SupportOutcome.NOT_FOUND)
    t = IdeaSupport.__table__
    inserted = session.execute(
        insert_ignoring_conflicts(session, t, ["idea_id", "member_id"])
        .values(idea_id=idea.id, member_id=member_id, created_at=now).returning(t.c.id)
    ).scalar()
    if inserted is None:
        return SupportResult(SupportOutcome.ALREADY)
    count = session.execute(
        update(Idea).where(Idea.id == idea.id)
        .values(support_count=Idea.support_count + 1, momentum=Idea.momentum + 1).returning(Idea.support_count)
    ).scalar_one()
    record(session, member_id, ActionKind.IDEA_SUPPORTED, f"idea-support:{idea.id}:{member_id}",
           ref=f"idea:{idea.id}", at=now)
    session.refresh(idea)
    reached = False
    if count >= idea.threshold and idea.stage == IdeaStage.OPEN and idea.reached_at is None:
        from linecomm.ideas import stages

        stages.reach(session, idea, now, liff_id)
        reached = True
    return SupportResult(SupportOutcome.SUPPORTED, reached)


def withdraw_support(session: Session, idea_id: int, member_id: int, now: datetime) -> SupportResult:
    """Take the member's support back (the action is withdrawn); the counters move with the row. An idea
    that reached its threshold stays in review."""
    idea, refused = _check(session, idea_id, member_id)
    if refused is not None or idea is None:
        return SupportResult(refused or SupportOutcome.NOT_FOUND)
    t = IdeaSupport.__table__
    given = session.execute(
        delete(t).where(t.c.idea_id == idea.id, t.c.member_id == member_id).returning(t.c.created_at)
    ).scalar()
    if given is None:
        return SupportResult(SupportOutcome.NOT_SUPPORTING)
    recent = 1 if given >= momentum_since(now) else 0
    session.execute(update(Idea).where(Idea.id == idea.id).values(
        support_count=Idea.support_count - 1, momentum=Idea.momentum - recent))
    withdraw(session, f"idea-support:{idea.id}:{member_id}", at=now)
    return SupportResult(SupportOutcome.WITHDRAWN)


# ---- comments -------------------------------------------------------------------------------------------
def comment_error(body: str) -> str | None:
    body = body.strip()
    if not body:
        return copy.COMMENT_REQUIRED
    if len(body) > copy.COMMENT_MAX:
        return limits.too_long(copy.COMMENT_MAX, len(body))
    return None


def add_comment(session: Session, idea: Idea, member_id: int, body: str, now: datetime) -> ContentItem:
    """A member's comment on a visible idea, through the moderation core; `comment_count` counts the
    comment rows (held ones too: members see the published ones only)."""
    item = moderation.submit(session, member_id, ContentKind.COMMENT, body.strip(), f"idea:{idea.id}", now)
    session.add(IdeaComment(idea_id=idea.id, member_id=member_id, content_id=item.id, created_at=now))
    session.execute(update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1))
    session.flush()
    return item


# ---- moderation's news -----------------------------------------------------------------------------------
def _item_moved(session: Session, item: ContentItem, before: str | None, now: datetime) -> None:
    """A moderator approved an idea held for review: it is published now (its window starts)."""
    if item.state != ContentState.PUBLISHED or item.redacted_at is not None:
        return
    idea = session.scalar(select(Idea).where(Idea.content_id == item.id))
    if idea is not None and idea.published_at is None:
        publish(session, idea, now)


def _photos(session: Session, content_ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(Idea.content_id, Idea.photo_id)
                           .where(Idea.content_id.in_(content_ids), Idea.photo_id.is_not(None)))
    return {content_id: photo_id for content_id, photo_id in rows}


seams.listen(ContentKind.IDEA, _item_moved)
seams.register_photo_source(ContentKind.IDEA, _photos)


# ---- for other features ---------------------------------------------------------------------------------
def supported_an_idea(idea_ids: tuple[int, ...] = ()) -> ColumnElement[bool]:
    """The segment condition "supported an idea" (any of `idea_ids`, or any idea when empty): an EXISTS
    correlated to `members.id`."""
    where = [IdeaSupport.member_id == Member.id]
    if idea_ids:
        where.append(IdeaSupport.idea_id.in_(idea_ids))
    return exists(select(literal(1)).select_from(IdeaSupport).where(and_(*where)))


def my_ideas(session: Session, member_id: int, limit: int = 10) -> list[tuple[Idea, str | None]]:
    """The member's own ideas, newest first, with the moderation state of their text."""
    rows = session.execute(
        select(Idea, ContentItem.state).join(ContentItem, ContentItem.id == Idea.content_id)
        .where(Idea.member_id == member_id).order_by(Idea.id.desc()).limit(limit)
    ).all()
    return [(idea, state) for idea, state in rows]


def count_ideas(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Idea)) or 0


def belongs_to(session: Session, idea: Idea, content_id: int) -> bool:
    """Whether the content item is the idea's text or one of its comments."""
    return content_id == idea.content_id or bool(session.scalar(select(exists().where(
        IdeaComment.idea_id == idea.id, IdeaComment.content_id == content_id))))
