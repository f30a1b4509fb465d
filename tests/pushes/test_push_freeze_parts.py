"""A large recipient list is frozen in two parts on PostgreSQL, so sending starts while the rest is frozen:
everyone still gets the post exactly once, the delivery is not finished before the whole list is frozen,
and if the job freezing the rest dies, a lane finishes the freeze."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.members.models import MemberStatus
from linecomm.pushes import control, engine, freeze, jobs, occurrences
from linecomm.pushes.models import BatchStatus, Delivery, DeliveryBatch, DeliveryStatus
from tests.pushes.desk import Desk

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


@pytest.fixture(autouse=True)
def small_first_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freeze, "FIRST_PART", 7)  # the first part: members up to the 8th id


def _members_with_followers_between(desk: Desk) -> list[str]:
    """40 members, with followers (not in the community, never recipients) among their ids."""
    members: list[str] = []
    for _ in range(4):
        members += desk.members(10)
        desk.members(2, status=MemberStatus.FOLLOWER)
    return members


def _batches(desk: Desk, delivery_id: int) -> list[tuple[int, int, str]]:
    with desk.community.reader() as s:
        rows = s.execute(select(DeliveryBatch.batch_no, DeliveryBatch.size, DeliveryBatch.status)
                         .where(DeliveryBatch.delivery_id == delivery_id).order_by(DeliveryBatch.batch_no))
        return [(no, size, status) for no, size, status in rows]


def _assert_everyone_once(desk: Desk, members: list[str]) -> None:
    accepted = desk.accepted_recipients()
    assert sorted(accepted) == sorted(members) and set(accepted.values()) == {1}


def test_a_list_frozen_in_two_parts_reaches_everyone_once(desk: Desk) -> None:
    members = _members_with_followers_between(desk)

    delivery_id = desk.send_now(desk.post())

    done = desk.progress(delivery_id)
    assert (done.status, done.recipients, done.sent, done.pending) == ("sent", 40, 40, 0)
    batches = _batches(desk, delivery_id)
    assert [no for no, _, _ in batches] == list(range(len(batches)))  # numbered on from the first part
    assert sum(size for _, size, _ in batches) == 40 and all(size <= 5 for _, size, _ in batches)
    with desk.community.reader() as s:
        delivery = s.get(Delivery, delivery_id)
        assert delivery is not None
        assert (delivery.freeze_after_id, delivery.segment_count) == (None, 40)
    _assert_everyone_once(desk, members)


def test_a_lane_freezes_the_rest_when_the_job_freezing_it_died(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    members = _members_with_followers_between(desk)
    # The start job freezes the first part, starts the lanes, and dies before it freezes the rest.
    monkeypatch.setattr(jobs, "_freeze_rest", lambda rt, delivery_id: None)

    delivery_id = desk.send_now(desk.post())

    done = desk.progress(delivery_id)
    assert (done.status, done.recipients, done.sent) == ("sent", 40, 40)
    _assert_everyone_once(desk, members)


def test_a_delivery_is_not_finished_while_part_of_its_list_is_unfrozen(desk: Desk) -> None:
    _members_with_followers_between(desk)
    delivery_id = _frozen_first_part(desk)
    with desk.community.session() as s:
        s.execute(DeliveryBatch.__table__.update()
                  .where(DeliveryBatch.delivery_id == delivery_id)
                  .values(status=BatchStatus.SENT))  # the first part went out
    with desk.community.runtime.engine.begin() as conn:
        assert engine.finish(conn, delivery_id, utcnow()) is None
    with desk.community.session() as s:
        assert freeze.freeze_rest(s, delivery_id) is True
        assert freeze.freeze_rest(s, delivery_id) is False  # once
    with desk.community.reader() as s:
        delivery = s.get(Delivery, delivery_id)
        assert delivery is not None and (delivery.status, delivery.recipients) == (DeliveryStatus.SENDING, 40)


def test_a_stopped_delivery_freezes_no_more(desk: Desk) -> None:
    _members_with_followers_between(desk)
    delivery_id = _frozen_first_part(desk)
    first_part = _batches(desk, delivery_id)
    with desk.community.session() as s:
        control.stop(s, delivery_id)
    with desk.community.session() as s:
        assert freeze.freeze_rest(s, delivery_id) is True
    assert [no for no, _, _ in _batches(desk, delivery_id)] == [no for no, _, _ in first_part]
    assert {status for _, _, status in _batches(desk, delivery_id)} == {BatchStatus.CANCELLED}
    with desk.community.reader() as s:
        delivery = s.get(Delivery, delivery_id)
        assert delivery is not None and (delivery.status, delivery.freeze_after_id) == (DeliveryStatus.CANCELLED, None)


def _frozen_first_part(desk: Desk) -> int:
    """Open a post's delivery and freeze only the first part of its list, as the start job's first
    transaction does; return the delivery's id."""
    post_id = desk.post()
    desk.schedule(post_id)
    now = utcnow()
    with desk.community.session() as s:
        delivery_ids = occurrences.open_due(s, now, 5).delivery_ids
    assert len(delivery_ids) == 1
    with desk.community.session() as s:
        frozen = freeze.freeze(s, delivery_ids[0], None, now)
    assert frozen is not None and frozen.status == DeliveryStatus.SENDING
    with desk.community.reader() as s:
        delivery = s.get(Delivery, delivery_ids[0])
        assert delivery is not None and delivery.freeze_after_id is not None and 0 < delivery.recipients < 40
    return delivery_ids[0]


def test_a_stop_just_before_the_rest_is_written_cancels_what_was_frozen(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    _members_with_followers_between(desk)
    delivery_id = _frozen_first_part(desk)
    real_insert = freeze._insert_batches

    def stop_comes_in_first(session, delivery, *args, **kwargs):  # type: ignore[no-untyped-def]
        with desk.community.session() as other:  # the marketer's 取り消し commits just before the INSERT
            control.stop(other, delivery.id)
        return real_insert(session, delivery, *args, **kwargs)

    monkeypatch.setattr(freeze, "_insert_batches", stop_comes_in_first)
    with desk.community.session() as s:
        assert freeze.freeze_rest(s, delivery_id) is True

    batches = _batches(desk, delivery_id)
    assert sum(size for _, size, _ in batches) == 40  # the rest was frozen ...
    assert {status for _, _, status in batches} == {BatchStatus.CANCELLED}  # ... and none of it will go
