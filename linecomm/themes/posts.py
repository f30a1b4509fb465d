"""Theme posts: write, edit, preview and test-send a post, and cancel it before it starts (scheduling:
linecomm.themes.scheduling; delivering: linecomm.pushes, which this feature uses). Functions only flush;
a test send starts after commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.line.client import Quota
from linecomm.pushes import copy
from linecomm.pushes import policy as policies
from linecomm.pushes import service as pushes
from linecomm.pushes.errors import PushError
from linecomm.pushes.models import Delivery, QuotaPolicy
from linecomm.pushes.segments import Segment, unknown_tags
from linecomm.themes.content import Choice, check_content, choices_to_json, post_messages
from linecomm.themes.models import AnswerMode, PostStatus, ThemePost


@dataclass(frozen=True)
class PostDraft:
    title: str
    text: str
    image_url: str | None = None
    choice_kind: str | None = None
    choices: tuple[Choice, ...] = ()
    answers_open_at: datetime | None = None
    answers_close_at: datetime | None = None
    segment: Segment = field(default_factory=Segment)
    answer_mode: str = AnswerMode.MULTIPLE  # one answer per member, or several


def _check(session: Session, draft: PostDraft) -> None:
    if not draft.title.strip() or len(draft.title) > 100:
        raise PushError("タイトルは1〜100文字で入力してください。")
    check_content(draft.text, draft.image_url, draft.choice_kind, list(draft.choices))
    if (draft.answers_open_at is None) != (draft.answers_close_at is None):
        raise PushError("回答期間は開始と終了の両方を指定してください。")
    if draft.answers_open_at and draft.answers_close_at and draft.answers_open_at >= draft.answers_close_at:
        raise PushError("回答期間の終了は開始より後にしてください。")
    if draft.answer_mode not in AnswerMode.ALL:
        raise PushError("回答の受け付け方は「1人1回」か「何度でも」から選んでください。")
    missing = unknown_tags(session, draft.segment)
    if missing:
        raise PushError(copy.unknown_tags(missing))


def _apply(post: ThemePost, draft: PostDraft) -> None:
    post.title, post.text, post.image_url = draft.title.strip(), draft.text, draft.image_url
    post.choice_kind = draft.choice_kind
    post.choices = choices_to_json(list(draft.choices))
    post.answers_open_at, post.answers_close_at = draft.answers_open_at, draft.answers_close_at
    post.answer_mode = draft.answer_mode
    post.segment = draft.segment.to_json()


def create_post(session: Session, draft: PostDraft, created_by: str | None = None,
                now: datetime | None = None) -> ThemePost:
    """Save a draft post (checked against LINE's limits)."""
    _check(session, draft)
    now = now or utcnow()
    post = ThemePost(status=PostStatus.DRAFT, quota_policy=QuotaPolicy.REFUSE, created_by=created_by,
                     created_at=now, updated_at=now)
    _apply(post, draft)
    session.add(post)
    session.flush()
    return post


def get_post(session: Session, post_id: int, *, lock: bool = False) -> ThemePost:
    stmt = select(ThemePost).where(ThemePost.id == post_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    post = session.scalar(stmt)
    if post is None:
        raise PushError(f"投稿 {post_id} は見つかりません。")
    return post


def check_editable(post: ThemePost) -> None:
    """Refuse (PushError) to change a post that has started, finished or been cancelled."""
    if post.status not in PostStatus.EDITABLE:
        raise PushError(copy.not_editable(copy.STATUS_LABELS.get(post.status, post.status)))


def update_post(session: Session, post_id: int, draft: PostDraft, now: datetime | None = None) -> ThemePost:
    """Change a draft or a scheduled post before it starts (a recurring post: its next occurrences)."""
    post = get_post(session, post_id, lock=True)
    check_editable(post)
    _check(session, draft)
    _apply(post, draft)
    post.updated_at = now or utcnow()
    return post


def cancel_post(session: Session, post_id: int, now: datetime | None = None) -> ThemePost:
    """Cancel a post before it starts (a recurring post: all occurrences still to come)."""
    post = get_post(session, post_id, lock=True)
    if post.status not in (PostStatus.DRAFT, PostStatus.SCHEDULED):
        raise PushError(copy.not_editable(copy.STATUS_LABELS.get(post.status, post.status))
                        + "配信中のものは配信の取り消し（stop）を使ってください。")
    post.status, post.next_occurrence_at, post.next_send_at = PostStatus.CANCELLED, None, None
    post.updated_at = now or utcnow()
    return post


@dataclass(frozen=True)
class Preview:
    """What the marketer checks before scheduling: the bubbles, the audience, the cost, the timing."""

    post_id: int
    title: str
    messages: list[dict[str, object]]
    segment: str
    cost: pushes.CostCheck
    starts_at: datetime | None
    quiet_hours: str
    weekly_cap: int
    tested_at: datetime | None
    warnings: list[str]


def sending_notes(post: ThemePost, cost: pushes.CostCheck, weekly_cap: int) -> list[str]:
    """What the marketer should know before the post goes out (shown by the preview and when scheduling):
    members over the weekly cap, no one to send to, no test send yet, no answer window."""
    notes = []
    if cost.audience.over_cap:
        notes.append(copy.over_cap(cost.audience.over_cap, weekly_cap))
    if cost.audience.billable == 0:
        notes.append(copy.no_recipients())
    if post.tested_at is None:
        notes.append(copy.not_tested())
    if post.answers_open_at is None:
        notes.append(copy.no_answer_window())
    return notes


def preview(session: Session, post_id: int, quota: Quota, now: datetime | None = None) -> Preview:
    now = now or utcnow()
    post = get_post(session, post_id)
    policy = policies.current(session)
    quiet = policies.quiet_hours(policy)
    segment = Segment.from_json(post.segment)
    starts = post.next_send_at or quiet.release(now)
    cost = pushes.cost_check(session, segment, quota, policy.weekly_cap, now, starts)
    warnings = []
    if not cost.fits and cost.quota_remaining is not None:
        warnings.append(copy.over_quota(cost.audience.billable, cost.quota_remaining))
    warnings.extend(sending_notes(post, cost, policy.weekly_cap))
    return Preview(post.id, post.title, post_messages(post), segment.describe(session), cost, post.next_send_at,
                   quiet.label(), policy.weekly_cap, post.tested_at, warnings)


def test_send(session: Session, post_id: int, now: datetime | None = None, batch_size: int = 500) -> Delivery:
    """Send the post as it stands to every registered staff LINE account (no cap, no quiet hours, not
    counted against members' weekly cap). Starts after commit."""
    now = now or utcnow()
    post = get_post(session, post_id)
    delivery = pushes.send_to_staff(session, post_id=post.id, messages=post_messages(post), now=now,
                                    batch_size=batch_size)
    post.tested_at = now
    return delivery
