"""Points: how the ledger follows member actions and moderation, what members and marketers read, and
grants or deductions by hand (one member, or a whole segment with one INSERT ... SELECT).

`install()` registers the listeners (every process calls it when it builds its runtime, linecomm.runtime):
an action recorded is paid, one withdrawn is taken back, both in the action's transaction; content hidden
by moderation takes back the points of the actions on it, and restoring it pays them again, once per
transition; a moderator approving a post from the queue pays what farming withheld, once. Functions only
flush; the entry point commits.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, String, cast, exists, literal, select
from sqlalchemy.orm import Session

from linecomm.actions import service as actions
from linecomm.actions.models import MemberAction
from linecomm.db import dialect_name, insert_ignoring_conflicts, one_of, utcnow
from linecomm.members.models import Member
from linecomm.moderation import seams
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentDecision, ContentItem, ContentKind, ContentState, ReviewReason
from linecomm.points import farming, ledger
from linecomm.points.models import EntryKind, MemberPoints, PointEntry
from linecomm.pushes import segments

MAX_MANUAL = 1_000_000
REASON_MAX = 200


def on_actions(session: Session, changed: list[MemberAction], change: str) -> None:
    """actions.BATCH_LISTENERS: pay what was recorded (once its content, if any, is published), take back
    what was withdrawn. A constant number of statements whatever the number of actions."""
    # Dated when the action happened (its JST day is the one the daily cap counts).
    if change == "recorded":
        now = max(a.occurred_at for a in changed)
        visible = _visible_contents(session, [a.content_id for a in changed if a.content_id is not None])
        _pay(session, [a for a in changed if a.content_id is None or a.content_id in visible], now)
    elif change == "withdrawn":
        now = max(a.withdrawn_at or utcnow() for a in changed)
        ledger.reverse_actions(session, changed, "取り消し", now)


def _pay(session: Session, paid: list[MemberAction], now: datetime, *, flag: bool = True) -> None:
    """Grant the actions, withholding the points of farmed posts (farming.judge); those go to the
    moderators' queue, still published (`flag`; not when a moderator just published them)."""
    verdicts = farming.judge(session, paid, now)
    if verdicts:  # a moderator's approval stands: posts cleared of farming before are paid (restored, say)
        for action_id in farming.cleared(session, list(verdicts)):
            del verdicts[action_id]
    ledger.grant_actions(session, paid, now, {aid: farming.REASONS[v.reason] for aid, v in verdicts.items()})
    if verdicts and flag:
        moderation.flag_for_review(session, {v.content_id: farming.REASONS[v.reason] for v in verdicts.values()},
                                   ReviewReason.FARMING, now)


def _visible_contents(session: Session, content_ids: list[int]) -> set[int]:
    """Which of the items members see (published, not redacted), read in one query (a batch's items are
    written by plain statements, outside the session)."""
    if not content_ids:
        return set()
    return set(session.scalars(select(ContentItem.id).where(
        one_of(session, ContentItem.id, sorted(set(content_ids))), ContentItem.state == ContentState.PUBLISHED,
        ContentItem.redacted_at.is_(None))))


def _superseded(session: Session, item: ContentItem) -> bool:
    last = session.scalar(select(ContentDecision.action).where(ContentDecision.content_id == item.id)
                          .order_by(ContentDecision.id.desc()).limit(1))
    return last == "superseded"


def on_content_moved(session: Session, item: ContentItem, before: str | None, now: datetime) -> None:
    """moderation seams: published → anything else, or → hidden or blocked from anywhere (an edited review
    whose new version was held, then hidden: its action was paid on the first version), takes the points of
    the actions on the item back (not when an edit's new version replaces it); → published (approved,
    restored) pays them, once per transition. Taking back what is not paid changes nothing."""
    leaves = before == ContentState.PUBLISHED and item.state != ContentState.PUBLISHED
    if leaves or item.state in (ContentState.HIDDEN, ContentState.BLOCKED) and before != item.state:
        if not _superseded(session, item):
            ledger.reverse_actions(session, _actions_on(session, item.id), "非表示", now)
    elif item.state == ContentState.PUBLISHED and before != ContentState.PUBLISHED:
        _pay(session, [a for a in _actions_on(session, item.id) if a.withdrawn_at is None], now, flag=False)


def on_flag_cleared(session: Session, item: ContentItem, reason: str, now: datetime) -> None:
    """moderation seams (clear listeners): a moderator approved a published post from the queue. Whatever it
    was queued for (farming, or an NG word or a report that came first or later: its history shows the
    farming note either way), the approval is the moderator's verdict on the post, so what farming withheld
    is paid through the ledger's one path: the 0 grant is settled with a 0 reversal (`farming.CLEARED`) and
    the action granted again by the rule in force, dated now (the daily cap counts the approval's JST day).
    The ledger's keys (`reverse:<id>:0`, `action:<id>:1`) pay it once however often this is heard; nothing is
    withheld any more the second time."""
    on_item = [a for a in _actions_on(session, item.id) if a.withdrawn_at is None]
    if not on_item:
        return
    # The members' balance rows locked first: two approvals at once settle one after the other, and the
    # second finds nothing withheld (rather than taking back the first one's grant).
    ledger.add_to_balances(session, {a.member_id: (0, 0) for a in on_item}, now)
    held = farming.withheld(session, [a.id for a in on_item])
    settled = [a for a in on_item if a.id in held]
    if settled:
        ledger.reverse_actions(session, settled, farming.CLEARED, now)
        ledger.grant_actions(session, settled, now)


def _actions_on(session: Session, content_id: int) -> list[MemberAction]:
    return list(session.scalars(select(MemberAction).where(MemberAction.content_id == content_id)
                                .order_by(MemberAction.id)))


def install() -> None:
    """Listen to member actions and to moderation (again installing changes nothing)."""
    if on_actions not in actions.BATCH_LISTENERS:
        actions.BATCH_LISTENERS.append(on_actions)
    for kind in (v for k, v in vars(ContentKind).items() if k.isupper()):
        seams.listen(kind, on_content_moved)
        seams.listen_cleared(kind, on_flag_cleared)


@dataclass(frozen=True)
class Balance:
    balance: int
    lifetime: int


def balance_of(session: Session, member_id: int) -> Balance:
    row = session.get(MemberPoints, member_id)
    return Balance(row.balance, row.lifetime) if row else Balance(0, 0)


def history(session: Session, member_id: int, limit: int = 20) -> list[PointEntry]:
    """The member's ledger rows, newest first."""
    return list(session.scalars(select(PointEntry).where(PointEntry.member_id == member_id)
                                .order_by(PointEntry.created_at.desc(), PointEntry.id.desc()).limit(limit)))


class ManualError(ValueError):
    """A hand grant that cannot be made (the message is Japanese, for the form)."""


def _check(amount: int, reason: str) -> str:
    reason = (reason or "").strip()
    if amount == 0 or abs(amount) > MAX_MANUAL:
        raise ManualError(f"ポイントは0以外の±{MAX_MANUAL:,}以内の整数で入力してください。")
    if not reason:
        raise ManualError("理由を入力してください。")
    if len(reason) > REASON_MAX:
        raise ManualError(f"理由は{REASON_MAX}文字以内で入力してください。")
    return reason


def new_operation() -> str:
    return uuid.uuid4().hex


def grant_manual(session: Session, member_id: int, amount: int, reason: str, operation: str, by: str,
                 now: datetime | None = None) -> bool:
    """Grant (+) or deduct (-) by hand; the form's operation id makes a repeated post change nothing.
    Returns whether an entry was made."""
    reason = _check(amount, reason)
    now = now or utcnow()
    if session.get(Member, member_id) is None:
        raise ManualError("会員が見つかりません。")
    key = f"manual:{operation[:64]}:{member_id}"
    if amount < 0:  # a deduction never takes a balance below zero (the row is locked while it is checked)
        ledger.add_to_balances(session, {member_id: (0, 0)}, now)
        if session.scalar(select(exists().where(PointEntry.key == key))):
            return False  # made already (a double submit)
        held = session.scalar(select(MemberPoints.balance).where(MemberPoints.member_id == member_id)) or 0
        if held + amount < 0:
            raise ManualError(f"残高（{held:,}ポイント）を超えて減算することはできません。")
    made = ledger.insert_entries(session, [{
        "member_id": member_id, "key": key, "kind": EntryKind.MANUAL,
        "amount": amount, "reason": reason, "created_by": by[:200], "created_at": now}], now)
    return bool(made)


def grant_to_segment(session: Session, segment: segments.Segment, amount: int, reason: str, operation: str,
                     by: str, now: datetime | None = None) -> int:
    """Grant (+) or deduct (-) to every member of the segment (a deduction: those whose balance covers it):
    one INSERT ... SELECT of the entries feeding the tallies' one write (ledger.tally_upsert: balance,
    lifetime, the month's points and the rank, each member's row once), a single statement on PostgreSQL,
    never a query per member. Returns how many members got an entry (0 when the operation was made before)."""
    reason = _check(amount, reason)
    now = now or utcnow()
    where = segments.conditions(segment, now)
    if amount < 0:  # a deduction skips the members it would take below zero
        where = [*where, balance_at_least(-amount)]
    key = literal(f"manual:{operation[:64]}:", String) + cast(Member.id, String)
    source = select(Member.id, key, literal(EntryKind.MANUAL, String), literal(amount, Integer),
                    literal(reason, String), literal(by[:200], String), literal(now, PointEntry.created_at.type)
                    ).where(*where)
    table = PointEntry.__table__
    insert = insert_ignoring_conflicts(session, table, ["key"]).from_select(
        ["member_id", "key", "kind", "amount", "reason", "created_by", "created_at"], source)
    if dialect_name(session) == "postgresql":
        # One statement: the entries inserted feed the tallies, and the members moved come back.
        inserted = insert.returning(table.c.member_id).cte("inserted")
        deltas = select(inserted.c.member_id, literal(amount, Integer), literal(amount, Integer)).order_by(
            inserted.c.member_id)  # rows locked in member order, as every other tallies write locks them
    else:  # SQLite: one writer at a time, so the segment selected again is the one the entries went to
        made = session.execute(insert).rowcount or 0
        if not made:
            return 0
        deltas = select(Member.id, literal(amount, Integer), literal(amount, Integer)).where(*where)
    rows = ledger.write_tallies(session, deltas, now)
    ledger.tell_listeners(session, [ledger.BalanceChange(m, b, lt, amount, mp, lvl, ann, mk)
                                    for m, b, lt, mp, lvl, ann, mk in rows], now)
    return len(rows)


def operation_made(session: Session, operation: str) -> bool:
    """Whether a hand operation (its form's id) made entries already (a double submit)."""
    return session.scalar(select(exists().where(PointEntry.key.like(f"manual:{operation[:64]}:%")))) or False


def balance_at_least(points: int) -> ColumnElement[bool]:
    """Segment condition "points ≥ N": the member's balance is at least `points`, as an EXISTS correlated
    to members.id (served by member_points' primary key)."""
    return exists(select(MemberPoints.member_id).where(MemberPoints.member_id == Member.id,
                                                       MemberPoints.balance >= points))
