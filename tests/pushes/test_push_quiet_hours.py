"""Quiet hours during a send: a delivery still going at 21:00 takes no new batch, says it waits, and
carries on at 09:00 with everyone reached exactly once. Pause and stop work while it waits; test sends to
staff are exempt. The jobs' clock is moved by the test; LINE is the fake platform, counted afterwards."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as clock_time

from linecomm.admin.push_labels import progress_json
from linecomm.db import utcnow
from linecomm.pushes import control
from linecomm.pushes import policy as policies
from linecomm.pushes.schedule import at_jst
from linecomm.sweeper import sweep
from linecomm.themes import posts
from linecomm.timezones import JST
from tests.pushes.desk import MULTICAST, Desk, ManualClock

MEMBERS = 60  # twelve multicast batches of five


def _an_evening(desk: Desk) -> tuple[ManualClock, datetime, datetime]:
    """Quiet hours 21:00–09:00 and the jobs' clock at 20:59 today: (clock, 21:00 today, 09:00 tomorrow)."""
    today = utcnow().astimezone(JST).date()
    clock = desk.use_clock(at_jst(today, clock_time(20, 59)))
    with desk.community.session() as s:
        policies.update(s, quiet_start="21:00", quiet_end="09:00")
    return clock, at_jst(today, clock_time(21, 0)), at_jst(today + timedelta(days=1), clock_time(9, 0))


def _start_a_slow_delivery(desk: Desk, clock: ManualClock) -> tuple[list[str], int]:
    """A post to everyone, sent at 20:59; each multicast takes LINE a moment. Returns when some went."""
    users = desk.members(MEMBERS)
    desk.fake.inject_fault(MULTICAST, status=None, delay=0.2, times=1000)
    post_id = desk.post()
    desk.schedule(post_id, now=clock())
    delivery_id = desk.wait_for(lambda: desk.delivery_of(post_id))
    desk.wait_for(lambda: desk.progress(delivery_id).sent >= 10)
    return users, delivery_id


def _quiet_hours_begin(desk: Desk, clock: ManualClock, delivery_id: int, at: datetime, until: datetime) -> int:
    """Move the clock to 21:00 and wait until the delivery holds and what LINE already had is answered.
    Returns how many multicasts LINE received by then."""
    clock.set(at)
    desk.wait_for(lambda: desk.progress(delivery_id).not_before == until)
    time.sleep(0.8)  # requests already handed to LINE come back and are recorded
    return len(desk.multicasts())


def _nothing_more_goes_out(desk: Desk, received: int) -> None:
    time.sleep(1.0)
    assert len(desk.multicasts()) == received


def _morning_comes(desk: Desk, clock: ManualClock, morning: datetime) -> None:
    """09:00: the sweeper finds the delivery nobody works on any more and starts its lanes again."""
    clock.set(morning)
    assert sweep(desk.community.runtime).deliveries == 1


def _everyone_exactly_once(desk: Desk, users: list[str]) -> None:
    accepted = desk.accepted_recipients()
    assert set(accepted) == set(users) and set(accepted.values()) == {1}
    assert len(desk.multicasts()) == MEMBERS // 5  # one request per batch: none sent twice


def test_a_delivery_under_way_at_21_00_waits_and_finishes_at_09_00_with_everyone_once(desk: Desk) -> None:
    clock, nine_pm, morning = _an_evening(desk)
    with desk.worker_in_background():
        users, delivery_id = _start_a_slow_delivery(desk, clock)
        received = _quiet_hours_begin(desk, clock, delivery_id, nine_pm, morning)

        held = desk.progress(delivery_id, now=clock())
        assert (held.status, held.waiting, held.resumes_at) == ("sending", True, morning)
        assert 10 <= held.sent < MEMBERS and held.pending == MEMBERS - held.sent and held.failed == 0
        assert held.batches_sent == received  # every request LINE answered is recorded as sent
        assert held.eta_seconds is None
        live = progress_json(held)
        assert (live["status"], live["status_label"], live["finished"]) == ("sending", "再開待ち", False)
        assert live["notice"] == "配信しない時間帯のため、明日の09:00に再開します。"
        _nothing_more_goes_out(desk, received)

        clock.set(nine_pm + timedelta(hours=11, minutes=59))  # 08:59: the sweeper leaves it alone
        assert sweep(desk.community.runtime).deliveries == 0
        _nothing_more_goes_out(desk, received)

        _morning_comes(desk, clock, morning)
        done = desk.finish(delivery_id)
    assert (done.status, done.sent, done.pending, done.failed, done.waiting) == ("sent", MEMBERS, 0, 0, False)
    assert progress_json(done)["notice"] is None
    _everyone_exactly_once(desk, users)


def test_a_delivery_waiting_out_quiet_hours_can_be_paused_and_resumed(desk: Desk) -> None:
    clock, nine_pm, morning = _an_evening(desk)
    with desk.worker_in_background():
        users, delivery_id = _start_a_slow_delivery(desk, clock)
        received = _quiet_hours_begin(desk, clock, delivery_id, nine_pm, morning)
        with desk.community.session() as s:
            control.pause(s, delivery_id)
        paused = desk.progress(delivery_id, now=clock())
        assert (paused.status, paused.waiting) == ("paused", False)

        clock.set(morning + timedelta(minutes=5))  # a paused delivery stays paused after quiet hours
        assert sweep(desk.community.runtime).deliveries == 0
        _nothing_more_goes_out(desk, received)

        clock.set(nine_pm + timedelta(days=1, minutes=30))  # resumed the next evening, in quiet hours
        with desk.community.session() as s:
            control.resume(s, delivery_id, now=clock())
        waiting = desk.progress(delivery_id, now=clock())
        assert (waiting.status, waiting.resumes_at) == ("sending", morning + timedelta(days=1))
        _nothing_more_goes_out(desk, received)

        _morning_comes(desk, clock, morning + timedelta(days=1))
        done = desk.finish(delivery_id)
    assert (done.status, done.sent) == ("sent", MEMBERS)
    _everyone_exactly_once(desk, users)


def test_a_delivery_waiting_out_quiet_hours_can_be_stopped(desk: Desk) -> None:
    clock, nine_pm, morning = _an_evening(desk)
    with desk.worker_in_background():
        users, delivery_id = _start_a_slow_delivery(desk, clock)
        received = _quiet_hours_begin(desk, clock, delivery_id, nine_pm, morning)
        with desk.community.session() as s:
            control.stop(s, delivery_id, now=clock())
        clock.set(morning)
        assert sweep(desk.community.runtime).deliveries == 0
        _nothing_more_goes_out(desk, received)
        stopped = desk.progress(delivery_id, now=clock())
    assert (stopped.status, stopped.waiting) == ("cancelled", False)
    assert stopped.sent + stopped.cancelled == MEMBERS and stopped.cancelled > 0
    received_by = [len(desk.fake.messages_to(u)) for u in users]
    assert set(received_by) <= {0, 1} and sum(received_by) == stopped.sent


def test_a_test_send_to_staff_goes_out_during_quiet_hours(desk: Desk) -> None:
    clock, nine_pm, _ = _an_evening(desk)
    clock.set(nine_pm + timedelta(hours=1, minutes=30))  # 22:30
    members = desk.members(3)
    staff = ["U" + "c" * 32, "U" + "d" * 32]
    for user_id in staff:
        desk.fake.add_user(user_id, "スタッフ")
    post_id = desk.post()
    with desk.community.session() as s:
        for user_id in staff:
            policies.add_test_recipient(s, user_id, "運営")
        test_id = posts.test_send(s, post_id, now=clock(), batch_size=1).id  # two batches
    done = desk.finish(test_id)
    assert (done.status, done.sent) == ("sent", 2)
    assert all(len(desk.fake.messages_to(u)) == 1 for u in staff)
    assert all(desk.fake.messages_to(u) == [] for u in members)
