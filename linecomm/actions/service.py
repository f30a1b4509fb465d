"""Record what members do, once each, and tell whoever listens (points, badges) in the same transaction.

A feature calls `record()` when a member action happens (one call per action, with a key derived from its
source) and `withdraw()` when the member undoes it (`record_many()` for a batch, one INSERT). Neither feature
nor listener needs the other: points registers a batch listener (`BATCH_LISTENERS`, installed by
linecomm.runtime) and reads `member_actions`; the features never import points. Every recorded (or restored)
action also marks its JST month in `member_active_months` (linecomm.actions.active_months), in the same
transaction, one statement per call; a withdrawal leaves the month marked.
Functions only flush; the caller commits.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.actions import active_months
from linecomm.actions.models import MemberAction
from linecomm.db import insert_ignoring_conflicts, insert_rows_ignoring_conflicts, utcnow


class ActionKind:
    """The actions features record (points rules are set per kind)."""

    THEME_ANSWER = "theme_answer"
    REACTION = "reaction"
    VOTE = "vote"
    SURVEY_RESPONSE = "survey_response"
    REVIEW_PUBLISHED = "review_published"
    HELPFUL_RECEIVED = "helpful_received"  # the author of a review another member marked helpful
    IDEA_SUBMITTED = "idea_submitted"
    IDEA_SUPPORTED = "idea_supported"
    IDEA_ADOPTED = "idea_adopted"  # the author of an idea the brand adopted
    ANSWER_GIVEN = "answer_given"  # an answer to another member's question
    BEST_ANSWER = "best_answer"  # the author of the answer marked best
    REFERRAL_JOINED = "referral_joined"


Listener = Callable[[Session, MemberAction, str], None]
# Called with ("recorded" | "withdrawn") in the caller's transaction, after the row is flushed.
LISTENERS: list[Listener] = []
BatchListener = Callable[[Session, list[MemberAction], str], None]
# Called once with every row a call changed (one for record/withdraw, all new rows for record_many), so a
# listener such as points keeps a batch to a constant number of statements.
BATCH_LISTENERS: list[BatchListener] = []


def _tell(session: Session, actions: list[MemberAction], change: str) -> None:
    for action in actions:
        for listener in LISTENERS:
            listener(session, action, change)
    if actions:
        for batch_listener in BATCH_LISTENERS:
            batch_listener(session, actions, change)


def record(session: Session, member_id: int, kind: str, key: str, *, ref: str | None = None,
           content_id: int | None = None, at: datetime | None = None) -> MemberAction | None:
    """Record the action unless its key was recorded before, and mark its JST month active; returns the new
    row, or None when it was. A withdrawn action recorded again (support given back) counts again: its row
    is restored, dated `at`."""
    if not key or len(key) > 120 or not kind or len(kind) > 32:
        raise ValueError(f"an action needs a kind (<= 32) and a key (<= 120): {kind!r} {key!r}")
    at = at or utcnow()
    inserted = session.execute(
        insert_ignoring_conflicts(session, MemberAction.__table__, ["key"])
        .values(member_id=member_id, kind=kind, key=key, ref=ref and ref[:120], content_id=content_id,
                occurred_at=at)
        .returning(MemberAction.__table__.c.id)
    ).scalar()
    if inserted is None:
        restored = session.execute(
            update(MemberAction).where(MemberAction.key == key, MemberAction.withdrawn_at.is_not(None))
            .values(withdrawn_at=None, occurred_at=at).returning(MemberAction.id)
        ).scalar()
        if restored is None:
            return None
        inserted = restored
    action = session.get(MemberAction, inserted, populate_existing=True)
    assert action is not None
    active_months.note(session, [action])
    _tell(session, [action], "recorded")
    return action


def record_many(session: Session, rows: list[tuple[int, str, str, str | None, int | None]],
                at: datetime | None = None) -> list[MemberAction]:
    """Record several actions at once, (member_id, kind, key, ref, content_id) each, with one INSERT for
    all of them (a batch of theme answers); those recorded before are skipped (not restored). Their months
    are marked with one more statement and listeners are told of the new rows. Returns them."""
    if not rows:
        return []
    at = at or utcnow()
    for _, kind, key, _, _ in rows:
        if not key or len(key) > 120 or not kind or len(kind) > 32:
            raise ValueError(f"an action needs a kind (<= 32) and a key (<= 120): {kind!r} {key!r}")
    values = [{"member_id": member_id, "kind": kind, "key": key, "ref": ref and ref[:120], "content_id": content_id,
               "occurred_at": at} for member_id, kind, key, ref, content_id in rows]
    stored = dict(insert_rows_ignoring_conflicts(session, MemberAction.__table__, values, ["key"], ("key", "id")))
    # The new rows as they were written (plain objects, not loaded back: the batch stays a constant number
    # of statements), in id order.
    actions = sorted((MemberAction(id=stored[v["key"]], withdrawn_at=None, **v) for v in values if v["key"] in stored),
                     key=lambda a: a.id)
    active_months.note(session, actions)
    _tell(session, actions, "recorded")
    return actions


def withdraw(session: Session, key: str, at: datetime | None = None) -> MemberAction | None:
    """The member undid the action (withdrew their support): mark it, once; None when there was nothing
    recorded under the key, or it was withdrawn already."""
    withdrawn = session.execute(
        update(MemberAction).where(MemberAction.key == key, MemberAction.withdrawn_at.is_(None))
        .values(withdrawn_at=at or utcnow()).returning(MemberAction.id)
    ).scalar()
    if withdrawn is None:
        return None
    action = session.get(MemberAction, withdrawn, populate_existing=True)
    assert action is not None
    _tell(session, [action], "withdrawn")
    return action


def retarget(session: Session, key: str, content_id: int) -> None:
    """The content an action is about was replaced by a new version (an edited review): the action now
    follows the new item, so moderation of the new version (hiding it, restoring it) moves its points.
    Listeners are not told: nothing was recorded or withdrawn."""
    session.execute(update(MemberAction).where(MemberAction.key == key).values(content_id=content_id)
                    .execution_options(synchronize_session="fetch"))


def of_member(session: Session, member_id: int, limit: int = 100) -> list[MemberAction]:
    """The member's actions, newest first."""
    return list(session.scalars(select(MemberAction).where(MemberAction.member_id == member_id)
                                .order_by(MemberAction.occurred_at.desc(), MemberAction.id.desc()).limit(limit)))
