"""Theme posts as owners of their deliveries (linecomm.pushes.owners): the push scheduler asks them which
posts are due, and the engine tells them how a delivery goes, which a one-off post shows as its status (a
recurring post stays scheduled between occurrences). Test sends to staff belong to theme posts too; they
record nothing on the post as they run (the post notes when it was tested as the send is made).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from linecomm.pushes.models import Delivery, DeliveryKind
from linecomm.pushes.owners import DeliveryOwner
from linecomm.pushes.schedule import QuietHours
from linecomm.themes import scheduling
from linecomm.themes.models import ThemePost

P = ThemePost.__table__
D = Delivery.__table__


class ThemePostDeliveries(DeliveryOwner):
    kind = DeliveryKind.POST

    def status_changed(self, conn: Connection | Session, delivery_id: int, status: str) -> None:
        """Keep a one-off post's status in step with its delivery (a recurring post stays scheduled)."""
        post_id = select(D.c.post_id).where(D.c.id == delivery_id).scalar_subquery()
        conn.execute(update(P).where(P.c.id == post_id, P.c.schedule_kind == "once").values(status=status))

    def open_due(self, session: Session, now: datetime, quiet: QuietHours, weekly_cap: int,
                 batch_size: int) -> list[int]:
        return scheduling.open_due_posts(session, now, quiet, weekly_cap, batch_size)

    def next_due(self, session: Session, quiet: QuietHours, now: datetime) -> datetime | None:
        return scheduling.next_post_at(session)

    def quiet_hours_changed(self, session: Session, quiet: QuietHours) -> None:
        scheduling.move_out_of_quiet_hours(session, quiet)


class TestSends(DeliveryOwner):
    """A post sent to the staff accounts before the real send: nothing scheduled, nothing to record."""

    __test__ = False  # not a pytest class
    kind = DeliveryKind.TEST


THEME_POSTS = ThemePostDeliveries()
TEST_SENDS = TestSends()
