"""Where moderation meets the features whose content it moderates, without importing them.

- State listeners: a feature hears its items move after submission (approved, hidden by a moderator or by
  reports, superseded by an edit): `listen(ContentKind.REVIEW, fn)`; `fn(session, item, from_state, now)`
  runs in the caller's transaction once the item's new state is set (reviews keep counters and member
  actions in step with it).
- Clear listeners: a moderator approved an item that was queued while published (flagged by an NG word,
  reported, judged farming) and stays published: no state moved, so state listeners hear nothing; those who
  care about the verdict hear it here: `listen_cleared(ContentKind.THEME_REPLY, fn)`;
  `fn(session, item, reason, now)` runs in the approving transaction, after the item left the queue, with
  the ReviewReason it had been queued for (points pay what farming withheld: linecomm.points.service).
  Told once per approval of a queued item; a listener must still change nothing when told again.
- Photo sources: a feature whose items carry a photo stored by linecomm.uploads tells the queue which:
  `register_photo_source(kind, fn)`, `fn(session, content ids) -> {content id: photo id}`. Theme photos
  (LINE image answers) are shown through themes as before.
Register when a module the app imports is imported (a feature's service).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from linecomm.moderation.models import ContentItem

StateListener = Callable[[Session, ContentItem, "str | None", datetime], None]
STATE_LISTENERS: dict[str, list[StateListener]] = {}
ClearListener = Callable[[Session, ContentItem, str, datetime], None]
CLEAR_LISTENERS: dict[str, list[ClearListener]] = {}
PhotoSource = Callable[[Session, list[int]], dict[int, str]]
PHOTO_SOURCES: dict[str, PhotoSource] = {}


def listen(kind: str, listener: StateListener) -> None:
    """Call `listener` whenever an item of `kind` changes state after submission (once per listener)."""
    listeners = STATE_LISTENERS.setdefault(kind, [])
    if listener not in listeners:
        listeners.append(listener)


def tell(session: Session, item: ContentItem, before: str | None, now: datetime) -> None:
    for listener in STATE_LISTENERS.get(item.kind, ()):
        listener(session, item, before, now)


def listen_cleared(kind: str, listener: ClearListener) -> None:
    """Call `listener` whenever a moderator approves a queued item of `kind` that stays published (once per
    listener)."""
    listeners = CLEAR_LISTENERS.setdefault(kind, [])
    if listener not in listeners:
        listeners.append(listener)


def tell_cleared(session: Session, item: ContentItem, reason: str, now: datetime) -> None:
    for listener in CLEAR_LISTENERS.get(item.kind, ()):
        listener(session, item, reason, now)


def register_photo_source(kind: str, source: PhotoSource) -> None:
    """Tell the moderation queue where the uploaded photos of `kind` items are."""
    PHOTO_SOURCES[kind] = source


def attached_photos(session: Session, items: list[ContentItem]) -> dict[int, str]:
    """The uploaded photo behind each of `items` that has one (content id -> photo id)."""
    found: dict[int, str] = {}
    by_kind: dict[str, list[int]] = {}
    for item in items:
        if item.kind in PHOTO_SOURCES and item.redacted_at is None:
            by_kind.setdefault(item.kind, []).append(item.id)
    for kind, ids in by_kind.items():
        found.update(PHOTO_SOURCES[kind](session, ids))
    return found
