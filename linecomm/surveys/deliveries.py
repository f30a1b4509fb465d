"""Survey announcements as owners of their deliveries (linecomm.pushes.owners): the push scheduler asks
which announcements are due and opens their deliveries; the engine tells how each goes, which the
announcement shows as its status. Registered in linecomm.delivery_owners, like theme posts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from linecomm.pushes.owners import DeliveryOwner
from linecomm.pushes.schedule import QuietHours
from linecomm.surveys import announcements
from linecomm.surveys.models import SurveyAnnouncement

A = SurveyAnnouncement.__table__


class SurveyAnnouncementDeliveries(DeliveryOwner):
    kind = announcements.KIND

    def status_changed(self, conn: Connection | Session, delivery_id: int, status: str) -> None:
        """Keep the announcement's status in step with its delivery's."""
        conn.execute(update(A).where(A.c.delivery_id == delivery_id).values(status=status))

    def open_due(self, session: Session, now: datetime, quiet: QuietHours, weekly_cap: int,
                 batch_size: int) -> list[int]:
        return announcements.open_due(session, now, quiet, weekly_cap, batch_size)

    def next_due(self, session: Session, quiet: QuietHours, now: datetime) -> datetime | None:
        return announcements.next_due(session, quiet)

    # quiet_hours_changed: nothing to move; an announcement's time is released from the quiet hours in
    # force whenever the scheduler looks at it.


SURVEY_ANNOUNCEMENTS = SurveyAnnouncementDeliveries()
