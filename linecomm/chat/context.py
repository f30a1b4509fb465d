"""What an event handler gets: the event, the session, the LINE client, and a way to answer."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

from sqlalchemy.orm import Session

from linecomm.config import Settings
from linecomm.db import ID_MAX
from linecomm.line.client import LineClient, Message
from linecomm.line.limits import MAX_MESSAGES
from linecomm.outbox import queueing as outbox


class Sender(Protocol):
    """What the router needs of the member row of the LINE user who sent an event: the members feature
    resolves it (linecomm.members.chat) and hands it to every handler as it is."""

    id: int
    line_user_id: str


@dataclass
class Batch:
    """The events handled together in one transaction (linecomm.webhooks.batch), as far as a handler may
    look ahead: who sent them and which LINE messages they carry. A feature reads what it needs for all of
    them with one query at the batch's first event instead of one per event, keeping it in `memo` under a
    key of its own, and may leave rows to write for all of them at once when the batch ends (`at_end`).
    A batch that fails is handled again event by event, without a Batch (its memo and writes are gone)."""

    member_ids: frozenset[int]
    message_ids: frozenset[str]
    memo: dict[str, Any] = field(default_factory=dict)
    _at_end: dict[str, Callable[[Session], None]] = field(default_factory=dict)

    def at_end(self, key: str, write: Callable[[Session], None]) -> None:
        """Call `write(session)` once when every event of the batch has been handled, before the batch's
        outcome is recorded in the same transaction (again under the same key: still once)."""
        self._at_end.setdefault(key, write)

    def end(self, session: Session) -> None:
        """Run what the handlers left for the end of the batch (linecomm.webhooks.batch calls it)."""
        while self._at_end:  # in the order they were first asked for
            write = self._at_end.pop(next(iter(self._at_end)))
            write(session)


@dataclass
class EventContext:
    session: Session
    line: LineClient
    settings: Settings
    raw: dict[str, Any]  # the event as LINE sent it, checked by line-bot-sdk v3's models on arrival
    webhook_event_id: str
    occurred_at: datetime
    now: datetime
    # The batch's members, already created and locked (linecomm.webhooks.batch); None: look them up.
    members: dict[str, Sender] | None = None
    batch: Batch | None = None
    outgoing: list[Message] = field(default_factory=list)
    member_id: int | None = None
    queued: list[dict[str, Any]] = field(default_factory=list)  # outbox.message_row()s not stored yet

    def store_queued_now(self) -> list[int]:
        """Store the answers queued so far and return their outbox ids, for a handler that sends them
        itself (a job that must send them before it does something else); the caller then has none."""
        ids = [i for i in outbox.store_new(self.session, self.queued) if i is not None]
        self.queued = []
        return ids

    @property
    def user_id(self) -> str | None:
        return (self.raw.get("source") or {}).get("userId")

    @property
    def event_type(self) -> str | None:
        return self.raw.get("type")

    @property
    def source_type(self) -> str | None:
        return (self.raw.get("source") or {}).get("type")

    @property
    def reply_token(self) -> str | None:
        return self.raw.get("replyToken")

    @property
    def text(self) -> str | None:
        message = self.raw.get("message") or {}
        return message.get("text") if message.get("type") == "text" else None

    @property
    def message_type(self) -> str | None:
        return (self.raw.get("message") or {}).get("type")

    @property
    def postback(self) -> dict[str, str]:
        data = (self.raw.get("postback") or {}).get("data") or ""
        return {k: v[0] for k, v in parse_qs(data, keep_blank_values=True).items()}

    def postback_id(self, name: str) -> int | None:
        """The row id a button carries in its postback data as `name=<id>`; None when it is missing or is
        not an id (a crafted or stale button: the handler answers politely, never with an error)."""
        raw = self.postback.get(name, "")
        if not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 10):
            return None
        value = int(raw)
        return value if 0 < value <= ID_MAX else None

    def reply(self, messages: list[Message]) -> None:
        """Answer the event. Everything said while handling one event goes out as one reply."""
        self.outgoing.extend(messages)

    def flush_reply(self, to: str | None = None) -> None:
        """Queue the answer for the outbox (reply while the token is fresh, else push) under this event's
        key; the caller stores what was queued (`outbox.store_new`) before its transaction commits."""
        target = to or self.user_id
        if not self.outgoing or not target:
            return
        self.queued.append(outbox.message_row(
            key=f"reply:{self.webhook_event_id}",
            to=target,
            messages=self.outgoing[:MAX_MESSAGES],
            member_id=self.member_id,
            reply_token=self.reply_token,
            event_time=self.occurred_at,
            reply_ttl_seconds=self.settings.reply_token_ttl_seconds,
        ))
        self.outgoing = []
