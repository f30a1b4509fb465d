"""Reaction and poll taps on a theme post's quick replies, counted once per member.

A post carries `action=react&post=<id>&r=<key>` (reactions) or `action=vote&post=<id>&o=<key>`
(poll) buttons (linecomm.themes.content). A reaction counts once per member and reaction (UNIQUE
post, member, reaction); a vote once per member and post (UNIQUE post, member): tapping another option
moves the vote there, tapping the same one again changes nothing. The database constraint is the
guarantee, not a lookup before the insert.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.db import insert_ignoring_conflicts
from linecomm.members.models import Member, MemberStatus
from linecomm.pushes import service as pushes
from linecomm.themes.content import POLL, REACTIONS, Choice, choices_from_json
from linecomm.themes.models import ThemePost, ThemeReaction, ThemeVote

TAPPERS = (MemberStatus.MEMBER, MemberStatus.SUSPENDED)  # suspended members may not post, but may tap


class Tap(Enum):
    COUNTED = "counted"
    CHANGED = "changed"  # a vote moved to another option
    REPEATED = "repeated"  # the same tap again: nothing changes, nothing more is said
    CLOSED = "closed"  # the poll's answer window is over
    TEST = "test"  # a button of a test send: not counted
    UNKNOWN = "unknown"  # no such post or option (an old or forged button)
    NOT_MEMBER = "not_member"


@dataclass(frozen=True)
class TapResult:
    outcome: Tap
    choice: Choice | None = None
    post: ThemePost | None = None


def _choice(session: Session, post_id: int, kind: str, key: str) -> tuple[ThemePost | None, Choice | None]:
    post = session.get(ThemePost, post_id)
    if post is None or post.choice_kind != kind:
        return post, None
    return post, next((c for c in choices_from_json(post.choices) if c.key == key), None)


def _check(session: Session, member: Member, post_id: int, kind: str, key: str) -> TapResult:
    """UNKNOWN, TEST or NOT_MEMBER when the tap cannot count; otherwise COUNTED with the post and choice."""
    if member.status not in TAPPERS:
        return TapResult(Tap.NOT_MEMBER)
    post, choice = _choice(session, post_id, kind, key)
    if post is None or choice is None:
        return TapResult(Tap.UNKNOWN, None, post)
    if not pushes.has_gone_out(session, post.id):
        return TapResult(Tap.TEST, choice, post)
    return TapResult(Tap.COUNTED, choice, post)


def react(session: Session, post_id: int, member: Member, key: str, now: datetime) -> TapResult:
    """Count the member's reaction `key` to the post (once)."""
    checked = _check(session, member, post_id, REACTIONS, key)
    if checked.outcome is not Tap.COUNTED:
        return checked
    post, choice = checked.post, checked.choice
    table = ThemeReaction.__table__
    inserted = session.scalar(
        insert_ignoring_conflicts(session, table, ["post_id", "member_id", "reaction"])
        .values(post_id=post_id, member_id=member.id, reaction=key, created_at=now)
        .returning(table.c.id)
    )
    if inserted is not None:
        actions.record(session, member.id, ActionKind.REACTION, f"theme-reaction:{post_id}:{member.id}:{key}"[:120],
                       ref=f"theme:{post_id}", at=now)
    return TapResult(Tap.COUNTED if inserted is not None else Tap.REPEATED, choice, post)


def vote(session: Session, post_id: int, member: Member, key: str, now: datetime) -> TapResult:
    """Record the member's vote for option `key`, or move it there; closed once the answer window ends."""
    checked = _check(session, member, post_id, POLL, key)
    if checked.outcome is not Tap.COUNTED:
        return checked
    post, choice = checked.post, checked.choice
    assert post is not None
    if post.answers_close_at is not None and now >= post.answers_close_at:
        return TapResult(Tap.CLOSED, choice, post)
    table = ThemeVote.__table__
    inserted = session.scalar(
        insert_ignoring_conflicts(session, table, ["post_id", "member_id"])
        .values(post_id=post_id, member_id=member.id, option_key=key, created_at=now, updated_at=now)
        .returning(table.c.id)
    )
    if inserted is not None:
        actions.record(session, member.id, ActionKind.VOTE, f"theme-vote:{post_id}:{member.id}", ref=f"theme:{post_id}",
                       at=now)
        return TapResult(Tap.COUNTED, choice, post)
    current = session.scalar(select(ThemeVote).where(ThemeVote.post_id == post_id, ThemeVote.member_id == member.id))
    assert current is not None
    if current.option_key == key:
        return TapResult(Tap.REPEATED, choice, post)
    current.option_key, current.updated_at = key, now
    session.flush()
    return TapResult(Tap.CHANGED, choice, post)


@dataclass(frozen=True)
class Tally:
    choice: Choice
    count: int
    share: float  # of all taps of this kind on the post, 0..1


def _tally(choices: list[Choice], counts: dict[str, int]) -> list[Tally]:
    total = sum(counts.get(c.key, 0) for c in choices)
    return [Tally(c, counts.get(c.key, 0), counts.get(c.key, 0) / total if total else 0.0) for c in choices]


def poll_results(session: Session, post: ThemePost) -> list[Tally]:
    """Votes per option, in the post's option order (zeros included)."""
    counts = dict(session.execute(
        select(ThemeVote.option_key, func.count()).where(ThemeVote.post_id == post.id).group_by(ThemeVote.option_key)
    ).all())
    return _tally(choices_from_json(post.choices), {k: int(v) for k, v in counts.items()})


def reaction_counts(session: Session, post: ThemePost) -> list[Tally]:
    """Members per reaction, in the post's order (zeros included)."""
    counts = dict(session.execute(
        select(ThemeReaction.reaction, func.count()).where(ThemeReaction.post_id == post.id)
        .group_by(ThemeReaction.reaction)
    ).all())
    return _tally(choices_from_json(post.choices), {k: int(v) for k, v in counts.items()})


def tap_count(session: Session, post: ThemePost) -> int:
    """How many votes (a poll) or reactions (reaction buttons) the post has; 0 without buttons."""
    table = {POLL: ThemeVote, REACTIONS: ThemeReaction}.get(post.choice_kind or "")
    if table is None:
        return 0
    return int(session.scalar(select(func.count()).select_from(table).where(table.post_id == post.id)) or 0)
