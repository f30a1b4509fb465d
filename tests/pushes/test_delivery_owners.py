"""The seam between the push engine and the features it delivers for: a feature registers an owner for its
kind of delivery, opens its deliveries when the scheduler asks, and is told how each one goes. A throwaway
owner here stands for the next feature (a survey announcement, an idea's official answer)."""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.delivery_owners import install
from linecomm.pushes import control, jobs, owners
from linecomm.pushes.content import build_messages
from linecomm.pushes.models import Delivery, DeliveryStatus, QuotaPolicy
from linecomm.pushes.occurrences import open_delivery
from linecomm.pushes.schedule import QuietHours
from tests.pushes.desk import MULTICAST, Desk
from tests.test_import_graph import package_edges


class Announcement(owners.DeliveryOwner):
    """A feature that announces something to every member once, when told to, and keeps a log of what
    the engine told it."""

    kind = "probe"

    def __init__(self) -> None:
        self.wanted = False
        self.delivery_id: int | None = None
        self.told: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    def status_changed(self, conn: Connection | Session, delivery_id: int, status: str) -> None:
        with self._lock:
            self.told.append((delivery_id, status))

    def open_due(self, session: Session, now: datetime, quiet: QuietHours, weekly_cap: int,
                 batch_size: int) -> list[int]:
        if not self.wanted:
            return []
        self.wanted = False
        delivery = open_delivery(session, Delivery(
            kind=self.kind, occurrence_key=f"probe:{uuid.uuid4()}", status=DeliveryStatus.STARTING,
            messages=json.dumps(build_messages("新しいお知らせがあります", None), ensure_ascii=False),
            segment="{}", quota_policy=QuotaPolicy.REFUSE, weekly_cap=None, batch_size=batch_size,
            scheduled_for=now, not_before=now, created_at=now,
        ))
        assert delivery is not None
        self.delivery_id = delivery.id
        return [delivery.id]

    def statuses(self) -> list[str]:
        with self._lock:
            return [status for delivery_id, status in self.told if delivery_id == self.delivery_id]


@pytest.fixture
def announcement() -> Iterator[Announcement]:
    owner = Announcement()
    owners.register(owner)
    try:
        yield owner
    finally:
        owners.unregister(owner.kind)


def _announce(desk: Desk, owner: Announcement) -> int:
    owner.wanted = True
    jobs.wake_scheduler(desk.community.runtime, utcnow())
    return desk.wait_for(lambda: owner.delivery_id)


def test_the_owner_is_told_when_its_delivery_starts_pauses_resumes_and_finishes(
        desk: Desk, announcement: Announcement) -> None:
    users = desk.members(60)
    desk.fake.inject_fault(MULTICAST, status=None, delay=0.25, times=1000)
    with desk.worker_in_background():
        delivery_id = _announce(desk, announcement)
        desk.wait_for(lambda: desk.progress(delivery_id).sent >= 10)
        with desk.community.session() as s:
            control.pause(s, delivery_id)
        with desk.community.session() as s:
            control.resume(s, delivery_id)
        done = desk.finish(delivery_id)
    assert (done.status, done.sent) == ("sent", 60)
    assert all(len(desk.fake.messages_to(u)) == 1 for u in users)
    assert announcement.statuses() == ["sending", "paused", "sending", "sent"]


def test_the_owner_is_told_when_its_delivery_is_stopped(desk: Desk, announcement: Announcement) -> None:
    desk.members(60)
    desk.fake.inject_fault(MULTICAST, status=None, delay=0.25, times=1000)
    with desk.worker_in_background():
        delivery_id = _announce(desk, announcement)
        desk.wait_for(lambda: desk.progress(delivery_id).sent >= 10)
        with desk.community.session() as s:
            control.stop(s, delivery_id)
        desk.finish(delivery_id)
    assert announcement.statuses() == ["sending", "cancelled"]


def test_the_owner_is_told_when_the_quota_refuses_its_delivery(desk: Desk, announcement: Announcement) -> None:
    desk.members(15)
    desk.fake.set_monthly_quota(10)
    delivery_id = _announce(desk, announcement)
    assert desk.finish(delivery_id).status == "failed"
    assert announcement.statuses() == ["failed"]
    assert desk.multicasts() == []


def test_a_kind_nobody_owns_is_a_loud_wiring_error() -> None:
    install()
    with pytest.raises(LookupError, match="no delivery owner registered for kind 'nobody'"):
        owners.owner_of("nobody")
    with pytest.raises(ValueError, match="already belongs"):
        owners.register(type("Impostor", (owners.DeliveryOwner,), {"kind": "post"})())


def test_the_push_engine_never_imports_the_features_it_delivers_for() -> None:
    assert ("pushes", "themes") not in package_edges()
