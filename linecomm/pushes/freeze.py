"""Freezing a delivery's recipients: one INSERT ... SELECT turns the matching members into multicast
batches of at most `batch_size` ids, each with its X-Line-Retry-Key, before anything is sent.

A large list on PostgreSQL is frozen in two parts, so that sending does not wait for all of it (a
million members take ~0.7 s to freeze; the first part, the members up to the FIRST_PART-th id, takes a
few hundredths): `freeze` writes the first part and marks the delivery sending with `freeze_after_id`,
and `freeze_rest` writes the members after that id. The id boundary puts every member in exactly one
part; both parts read the segment as of the delivery's start. A delivery is never finished while part of
its list is still to be frozen, and whoever finds it so (the start job, which goes straight on, or a lane
with nothing left to send, should that job have died) freezes the rest, one at a time. With a monthly
quota limit the list stays one statement, since the count the quota was checked against must be the
list's.

The cost guard runs here a second time, against the quota LINE reports at send time minus what other
deliveries under way will still bill: too many recipients and the delivery fails with a Japanese
explanation, unless the marketer chose to send to as many as the quota allows.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from linecomm.db import dialect_name
from linecomm.line.client import Quota
from linecomm.members.models import Member
from linecomm.pushes import copy, owners, steps
from linecomm.pushes.models import (
    BatchStatus,
    Delivery,
    DeliveryBatch,
    DeliveryKind,
    DeliveryStatus,
    QuotaPolicy,
)
from linecomm.pushes.segments import Segment, conditions, over_cap_members, reachable

FIRST_PART = 50_000  # members (by id) frozen before sending starts, when a list is frozen in two parts
FREEZE_LOCK = 0x70757368  # pg_advisory_xact_lock(FREEZE_LOCK, delivery id): one freezer of a delivery's rest

# A version-4 UUID from SQLite's randomness (PostgreSQL has gen_random_uuid()).
_SQLITE_UUID = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"
)


@dataclass(frozen=True)
class Frozen:
    """What freezing did: the delivery's status afterwards and the counts behind it."""

    status: str
    recipients: int
    batches: int
    error: str | None = None


def lock_delivery(session: Session, delivery_id: int) -> Delivery | None:
    stmt = select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def in_flight_recipients(session: Session, other_than: int) -> int:
    """Recipients LINE has not billed yet in other deliveries under way (their pending batches)."""
    stmt = (
        select(func.coalesce(func.sum(DeliveryBatch.size), 0))
        .join(Delivery, Delivery.id == DeliveryBatch.delivery_id)
        .where(
            Delivery.id != other_than,
            Delivery.status.in_((DeliveryStatus.SENDING, DeliveryStatus.PAUSED)),
            DeliveryBatch.status == BatchStatus.PENDING,
        )
    )
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True)
class _Targets:
    where: list[ColumnElement[bool]]  # who the delivery is for
    over_cap_ids: Any  # a subquery of the members at the weekly cap (None: the cap does not apply)
    capped: ColumnElement[bool] | None  # `Member.id IN over_cap_ids`


def _targets(session: Session, delivery: Delivery, now: datetime) -> _Targets:
    """The delivery's segment (or step) and its weekly cap, as of `now`."""
    own = owners.recipients(session, delivery)  # an owner naming its recipients itself (an idea's answer)
    if own is not None:
        where = [reachable(), *own]
    elif delivery.kind == DeliveryKind.STEP:
        assert delivery.step_id is not None and delivery.scheduled_for is not None
        where = steps.conditions(session, delivery.step_id, delivery.scheduled_for)
    else:
        where = conditions(Segment.from_json(delivery.segment), now)
    over_cap_ids = over_cap_members(session, delivery.weekly_cap, now) if delivery.weekly_cap else None
    return _Targets(where, over_cap_ids, Member.id.in_(over_cap_ids) if over_cap_ids is not None else None)


def _insert_batches(
    session: Session, delivery: Delivery, eligible: Any, ordered: bool, first_batch_no: int = 0
) -> None:
    """INSERT INTO push_batches SELECT ... GROUP BY batch number: the frozen list (or a part of it),
    written once. Members are numbered in scan order (no sort of a million ids) unless the list was cut
    by id."""
    ids = eligible.subquery()
    # Typed, so that `//` is integer division (untyped, it becomes FLOOR of a double: slower to group by).
    number = func.row_number(type_=BigInteger)
    number = number.over(order_by=ids.c.id) if ordered else number.over()
    batch_no = (number - 1) // delivery.batch_size + first_batch_no
    numbered = select(ids.c.id, batch_no.label("batch_no")).subquery()
    if dialect_name(session) == "postgresql":
        # Grouping a million ids into their batches needs ~12 MB of hash table; the default 4 MB work_mem
        # would spill it to disk (~0.1 s more before the first multicast). For this transaction only.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        member_ids: Any = func.array_agg(numbered.c.id)
        retry_key: Any = cast(func.gen_random_uuid(), DeliveryBatch.retry_key.type)
    else:
        member_ids = func.json_group_array(numbered.c.id)
        retry_key = literal_column(_SQLITE_UUID)
    rows = select(
        literal(delivery.id, Integer), numbered.c.batch_no, retry_key, member_ids, func.count(),
        literal(BatchStatus.PENDING), literal(0, Integer), literal(0, Integer), literal(0, Integer),
        literal(False),
    ).group_by(numbered.c.batch_no)
    t = DeliveryBatch.__table__
    session.execute(insert(t).from_select(
        [t.c.delivery_id, t.c.batch_no, t.c.retry_key, t.c.member_ids, t.c.size, t.c.status, t.c.attempts,
         t.c.sent_count, t.c.skipped_count, t.c.accepted_before],
        rows,
    ))


def freeze(session: Session, delivery_id: int, quota: Quota | None, now: datetime) -> Frozen | None:
    """Freeze the recipients of a delivery that is still starting (None if it is not): apply the weekly
    cap and the quota, write the batches, count what was left out (a step run also records whom the cap
    left out), and mark it sending.

    With a monthly limit the segment is counted first (the quota decides how many may go); without
    one the INSERT comes first and only the weekly cap's casualties are counted, if there are any."""
    delivery = lock_delivery(session, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.STARTING:
        return None
    targets = _targets(session, delivery, now)
    where, over_cap_ids, capped = targets.where, targets.over_cap_ids, targets.capped
    limit = None
    counted = quota is not None and quota.remaining is not None
    if quota is not None:
        delivery.quota_limit, delivery.quota_used = quota.limit, quota.used
    if counted:
        assert quota is not None and quota.remaining is not None
        counts = [func.count()] + ([func.count().filter(capped)] if capped is not None else [])
        row = session.execute(select(*counts).select_from(Member).where(*where)).one()
        matched, over_cap = int(row[0] or 0), int(row[1] or 0) if capped is not None else 0
        delivery.segment_count, delivery.over_cap_count = matched, over_cap
        billable = matched - over_cap
        remaining = max(0, quota.remaining - in_flight_recipients(session, delivery.id))
        if billable > remaining:
            if delivery.quota_policy != QuotaPolicy.PARTIAL:
                return _fail(delivery, copy.over_quota(billable, remaining), now)
            if remaining == 0:
                return _fail(delivery, copy.quota_exhausted(), now)
            limit = remaining
            delivery.over_quota_count = billable - remaining
    eligible = _eligible(where, capped)
    if limit is not None:
        eligible = eligible.order_by(Member.id).limit(limit)
    split = _first_part_end(session) if not counted else None
    if split is not None:
        _insert_batches(session, delivery, eligible.where(Member.id <= split), ordered=False)
        delivery.freeze_after_id = split
    else:
        _insert_batches(session, delivery, eligible, ordered=limit is not None)
    _count_batches(session, delivery)
    if not counted:
        over_cap = 0
        if over_cap_ids is not None and session.scalar(select(exists(over_cap_ids))):
            over_cap = int(session.scalar(select(func.count()).select_from(Member).where(*where, capped)) or 0)
        delivery.over_cap_count, delivery.segment_count = over_cap, delivery.recipients + over_cap
    if delivery.kind == DeliveryKind.STEP and delivery.over_cap_count and capped is not None:
        steps.record_cap_skips(session, delivery, [*where, capped], now)
    delivery.status = (
        DeliveryStatus.SENDING if delivery.batch_count or delivery.freeze_after_id is not None else DeliveryStatus.SENT
    )
    delivery.started_at = delivery.heartbeat_at = now
    if not delivery.batch_count:
        delivery.finished_at = now
    return Frozen(delivery.status, delivery.recipients, delivery.batch_count)


def freeze_rest(session: Session, delivery_id: int) -> bool:
    """Freeze the members after `freeze_after_id` (see the module's docstring); False if nothing was
    left to freeze. One caller at a time (a transaction-scoped advisory lock). The delivery's row is
    locked only at the end, briefly: the lanes beat their heartbeat on it, and they go on sending the
    first part meanwhile. A stop that came in between cancels what this froze.

    On SQLite a list is always frozen whole (`_first_part_end`), so there is never a rest; the writer's
    transaction holds the database's one write lock anyway, so no other lock is taken there."""
    if dialect_name(session) == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(FREEZE_LOCK, delivery_id)))
    delivery = session.get(Delivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.freeze_after_id is None:
        return False
    if delivery.status in (DeliveryStatus.SENDING, DeliveryStatus.PAUSED):
        assert delivery.started_at is not None
        as_of = delivery.started_at  # the segment and the cap as the first part read them
        targets = _targets(session, delivery, as_of)
        after = session.scalar(select(func.coalesce(func.max(DeliveryBatch.batch_no) + 1, 0))
                               .where(DeliveryBatch.delivery_id == delivery.id))
        rest = _eligible(targets.where, targets.capped).where(Member.id > delivery.freeze_after_id)
        _insert_batches(session, delivery, rest, ordered=False, first_batch_no=int(after or 0))
    delivery = lock_delivery(session, delivery_id)
    assert delivery is not None
    if delivery.status not in (DeliveryStatus.SENDING, DeliveryStatus.PAUSED):  # stopped meanwhile
        session.execute(
            update(DeliveryBatch)
            .where(DeliveryBatch.delivery_id == delivery.id, DeliveryBatch.status == BatchStatus.PENDING)
            .values(status=BatchStatus.CANCELLED, finished_at=delivery.finished_at)
        )
    delivery.freeze_after_id = None
    _count_batches(session, delivery)
    delivery.segment_count = delivery.recipients + delivery.over_cap_count
    return True


def _eligible(where: list[ColumnElement[bool]], capped: ColumnElement[bool] | None) -> Any:
    eligible = select(Member.id).where(*where)
    return eligible if capped is None else eligible.where(~capped)


def _first_part_end(session: Session) -> int | None:
    """The member id that ends the first part of a list frozen in two (None: freeze it whole). Counted in
    members, not recipients, so that finding it costs the same whatever the segment: one short walk of
    the primary key."""
    if dialect_name(session) != "postgresql":
        return None
    return session.scalar(select(Member.id).order_by(Member.id).offset(FIRST_PART).limit(1))


def _count_batches(session: Session, delivery: Delivery) -> None:
    totals = session.execute(
        select(func.count(), func.coalesce(func.sum(DeliveryBatch.size), 0)).where(
            DeliveryBatch.delivery_id == delivery.id
        )
    ).one()
    delivery.batch_count, delivery.recipients = int(totals[0]), int(totals[1])


def _fail(delivery: Delivery, reason: str, now: datetime) -> Frozen:
    delivery.status, delivery.error = DeliveryStatus.FAILED, reason
    delivery.started_at = delivery.finished_at = now
    return Frozen(delivery.status, 0, 0, reason)


def add_fixed_batches(session: Session, delivery: Delivery, line_user_ids: list[str]) -> None:
    """Batches for a test send: staff LINE ids, not members, so nothing to freeze from a segment."""
    size = delivery.batch_size
    chunks = [line_user_ids[i : i + size] for i in range(0, len(line_user_ids), size)]
    for number, chunk in enumerate(chunks):
        session.add(DeliveryBatch(
            delivery_id=delivery.id, batch_no=number, retry_key=str(uuid.uuid4()), fixed_to=json.dumps(chunk),
            size=len(chunk), status=BatchStatus.PENDING, attempts=0, sent_count=0, skipped_count=0,
            accepted_before=False,
        ))
    delivery.batch_count = len(chunks)
    delivery.recipients = delivery.segment_count = len(line_user_ids)
    session.flush()
