"""Opening the deliveries that are due. Each owner of deliveries (linecomm.pushes.owners) opens its own:
theme posts whose time (after quiet hours) has come, today's run of each step message. Each occurrence
has a unique key, so two schedulers running at once (two workers' sweepers, a timer and a sweep) open it
once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.pushes import owners
from linecomm.pushes import policy as policies
from linecomm.pushes.models import Delivery
from linecomm.pushes.schedule import QuietHours


@dataclass
class Due:
    """What a scheduler pass opened, and when the next one is due (for a timer)."""

    delivery_ids: list[int] = field(default_factory=list)
    wake_at: datetime | None = None


def open_delivery(session: Session, delivery: Delivery) -> Delivery | None:
    """Add a delivery for one occurrence; None if another scheduler opened this occurrence first (its
    `occurrence_key` is unique)."""
    try:
        with session.begin_nested():
            session.add(delivery)
            session.flush()
    except IntegrityError:  # another scheduler opened this occurrence first
        return None
    return delivery


def open_due(session: Session, now: datetime, batch_size: int) -> Due:
    """Open every delivery due by `now`, owner by owner; the caller commits and then starts them."""
    policy = policies.read(session)  # a background pass reads the rules; it never creates their row
    quiet = policies.quiet_hours(policy)
    due = Due()
    for owner in owners.all_owners():
        due.delivery_ids.extend(owner.open_due(session, now, quiet, policy.weekly_cap, batch_size))
    due.wake_at = next_wake(session, quiet, now)
    return due


def next_wake(session: Session, quiet: QuietHours, now: datetime) -> datetime | None:
    """The next moment any owner's delivery becomes due."""
    candidates = [at for owner in owners.all_owners() if (at := owner.next_due(session, quiet, now)) is not None]
    return min(candidates) if candidates else None
