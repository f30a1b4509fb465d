"""Who a delivery belongs to. The push engine sends what is frozen on a delivery; the feature that owns the
message (a theme post, a test send, a step message) decides when deliveries open and records their
progress and outcome in its own tables. Each feature implements a `DeliveryOwner` for its delivery kind
(`Delivery.kind`) and is named once in `linecomm.delivery_owners`, which every process installs when it
builds its runtime. A survey announcement or an idea's official answer will register an owner the same
way, with a kind of its own; the engine never imports the features it delivers for.

The engine tells an owner about a delivery through `status_changed`: "sending" when it starts (or
"failed" when its recipient list was refused, e.g. over the monthly quota), "paused" and "sending" again
when staff pause and resume it, and "sent", "failed" or "cancelled" when it finishes. It is called in the
engine's transaction (a Session or a plain Connection), so the owner's record commits with the change.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection
from sqlalchemy.orm import Session

from linecomm.pushes.schedule import QuietHours


class DeliveryOwner:
    """What the engine asks of a feature whose messages it delivers. Every method may be left as it is
    (nothing to do); `kind` must be set, at most 8 characters (the `Delivery.kind` column)."""

    kind: str = ""

    def status_changed(self, conn: Connection | Session, delivery_id: int, status: str) -> None:
        """Record that the delivery is now `status` (see the module docstring for when this is called)."""

    def open_due(self, session: Session, now: datetime, quiet: QuietHours, weekly_cap: int,
                 batch_size: int) -> list[int]:
        """Open the deliveries due by `now` (linecomm.pushes.occurrences.open_delivery); return their ids.
        The scheduler pass commits and then starts them."""
        return []

    def next_due(self, session: Session, quiet: QuietHours, now: datetime) -> datetime | None:
        """The next moment one of this owner's deliveries becomes due (for the scheduler's timer)."""
        return None

    def quiet_hours_changed(self, session: Session, quiet: QuietHours) -> None:
        """The marketer changed the quiet hours: move anything scheduled out of the new ones."""

    def recipients(self, session: Session, delivery: Any) -> list[ColumnElement[bool]] | None:
        """Conditions on `members` naming the delivery's recipients when the owner chooses them itself (an
        idea's author and supporters) instead of a segment; None: the delivery's segment. The engine adds
        `reachable()` and the weekly cap, and freezes the list like any other (linecomm.pushes.freeze)."""
        return None


_owners: dict[str, DeliveryOwner] = {}


def register(owner: DeliveryOwner) -> None:
    """Make `owner` answer for deliveries of its kind (again registering the same owner changes nothing)."""
    if not owner.kind or len(owner.kind) > 8:
        raise ValueError(f"a delivery kind is 1-8 characters: {owner.kind!r}")
    held = _owners.get(owner.kind)
    if held is not None and held is not owner:
        raise ValueError(f"delivery kind {owner.kind!r} already belongs to {held!r}")
    _owners[owner.kind] = owner


def unregister(kind: str) -> None:
    _owners.pop(kind, None)


def owner_of(kind: str) -> DeliveryOwner:
    """The owner of deliveries of this kind; a kind nobody registered is a wiring error, said loudly."""
    try:
        return _owners[kind]
    except KeyError:
        raise LookupError(f"no delivery owner registered for kind {kind!r} (see linecomm.delivery_owners)") from None


def all_owners() -> list[DeliveryOwner]:
    """Every registered owner, in the order they were registered."""
    return list(_owners.values())


def recipients(session: Session, delivery: Any) -> list[ColumnElement[bool]] | None:
    """The owner's own recipient conditions for the delivery (None: its segment, or no owner registered)."""
    owner = _owners.get(delivery.kind)
    return None if owner is None else owner.recipients(session, delivery)


def status_changed(conn: Connection | Session, kind: str, delivery_id: int, status: str) -> None:
    """Tell the delivery's owner its new status (in the caller's transaction)."""
    owner_of(kind).status_changed(conn, delivery_id, status)
