"""Quiet hours during a send. A delivery may start before they begin and still be sending when they do
(a large list, LINE's rate limit, retries): from that moment its lanes take no new batch. The delivery
stays "sending" with `not_before` at the end of the quiet hours, which is what the claim, the lanes'
timers and the sweeper already wait for; a batch already handed to LINE finishes and is recorded as
usual. Nothing is lost (the pending batches keep their retry keys) and nothing goes twice.

Test sends to staff are exempt, as they are from quiet hours at the start.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import Connection, update

from linecomm.pushes import policy as policies
from linecomm.pushes.models import Delivery, DeliveryStatus
from linecomm.pushes.schedule import QuietHours

REREAD_SECONDS = 5.0  # a marketer's change to the quiet hours reaches running lanes this quickly
D = Delivery.__table__


class QuietWatch:
    """A lane's view of the quiet hours, re-read from the policy every few seconds (not on every claim:
    a lane claims up to 200 batches a second)."""

    def __init__(self, exempt: bool) -> None:
        self.exempt = exempt
        self._hours: QuietHours | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def hours(self, conn: Connection) -> QuietHours:
        with self._lock:
            if self._hours is None or time.monotonic() - self._read_at >= REREAD_SECONDS:
                self._hours = policies.read_quiet_hours(conn)
                self._read_at = time.monotonic()
            return self._hours

    def hold(self, conn: Connection, delivery_id: int, now: datetime) -> bool:
        """True when quiet hours have begun: take no new batch. The first lane to notice writes their end
        as the delivery's `not_before` (in the caller's transaction), so every lane, the progress page and
        the sweeper see that the delivery waits until then."""
        if self.exempt:
            return False
        hours = self.hours(conn)
        if not hours.contains(now):
            return False
        until = hours.release(now)
        conn.execute(
            update(D)
            .where(D.c.id == delivery_id, D.c.status == DeliveryStatus.SENDING, D.c.not_before < until)
            .values(not_before=until)
        )
        return True

