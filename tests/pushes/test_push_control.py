"""A delivery under way: live numbers, pause and resume, stop; and the report afterwards."""
from __future__ import annotations

import time

from linecomm.pushes import control
from linecomm.pushes.progress import report
from linecomm.themes.models import PostStatus, ThemePost
from tests.pushes.desk import MULTICAST, Desk


def _start_slow_delivery(desk: Desk, members: int, delay: float = 0.25) -> tuple[list[str], int, int]:
    users = desk.members(members)
    desk.fake.inject_fault(MULTICAST, status=None, delay=delay, times=1000)
    post_id = desk.post()
    desk.schedule(post_id)
    delivery_id = desk.wait_for(lambda: desk.delivery_of(post_id))
    desk.wait_for(lambda: desk.progress(delivery_id).sent >= 10)
    return users, post_id, delivery_id


def test_progress_numbers_while_sending_and_after(desk: Desk) -> None:
    with desk.worker_in_background():
        _, _, delivery_id = _start_slow_delivery(desk, 60)
        live = desk.progress(delivery_id)
        assert live.status == "sending" and live.recipients == 60 and live.batches == 12
        assert 10 <= live.sent < 60 and live.pending > 0 and live.sent + live.pending <= 60
        assert live.rate_per_second > 0 and live.eta_seconds is not None and live.eta_seconds > 0
        assert 0 < live.done_fraction < 1
        done = desk.finish(delivery_id)
    assert (done.status, done.sent, done.pending, done.eta_seconds, done.rate_per_second) == ("sent", 60, 0, 0.0, 0.0)
    with desk.community.reader() as s:
        summary = report(s, delivery_id)
    assert summary is not None and summary.duration_seconds and summary.failures == [] and summary.uncertain == 0


def test_pause_holds_new_batches_and_resume_finishes_every_member_once(desk: Desk) -> None:
    with desk.worker_in_background():
        users, post_id, delivery_id = _start_slow_delivery(desk, 60)
        with desk.community.session() as s:
            control.pause(s, delivery_id)
        time.sleep(0.6)  # requests already in flight come back
        held = desk.progress(delivery_id)
        assert held.status == "paused" and held.pending > 0
        with desk.community.reader() as s:
            assert s.get(ThemePost, post_id).status == PostStatus.PAUSED
        time.sleep(1.0)
        assert desk.progress(delivery_id).sent == held.sent  # nothing new went out while paused
        with desk.community.session() as s:
            control.resume(s, delivery_id)
        done = desk.finish(delivery_id)
    assert (done.status, done.sent) == ("sent", 60)
    assert all(len(desk.fake.messages_to(u)) == 1 for u in users)


def test_stop_cancels_what_has_not_gone_and_nobody_gets_it_twice(desk: Desk) -> None:
    with desk.worker_in_background():
        users, post_id, delivery_id = _start_slow_delivery(desk, 60)
        with desk.community.session() as s:
            control.stop(s, delivery_id)
        time.sleep(0.6)
        stopped = desk.progress(delivery_id)
    assert stopped.status == "cancelled" and stopped.cancelled > 0
    assert stopped.sent + stopped.cancelled == 60  # batches in flight when it stopped still count as sent
    received = [len(desk.fake.messages_to(u)) for u in users]
    assert set(received) <= {0, 1} and sum(received) == stopped.sent
    with desk.community.reader() as s:
        assert s.get(ThemePost, post_id).status == PostStatus.CANCELLED
