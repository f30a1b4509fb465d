"""What an event handler gets: the event, the session, the LINE client, and a way to answer."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.orm import Session

from linecomm.config import Settings
from linecomm.line.client import LineClient, Message
from linecomm.line.limits import MAX_MESSAGES
from linecomm.outbox import service as outbox


@dataclass
class EventContext:
    session: Session
    line: LineClient
    settings: Settings
    raw: dict[str, Any]  # the event as LINE sent it, checked by line-bot-sdk v3's models on arrival
    webhook_event_id: str
    occurred_at: datetime
    now: datetime
    outgoing: list[Message] = field(default_factory=list)
    member_id: int | None = None
    queued_message_ids: list[int] = field(default_factory=list)

    @property
    def user_id(self) -> str | None:
        return (self.raw.get("source") or {}).get("userId")

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

    def reply(self, messages: list[Message]) -> None:
        """Answer the event. Everything said while handling one event goes out as one reply."""
        self.outgoing.extend(messages)

    def flush_reply(self, to: str | None = None) -> None:
        """Store the answer in the outbox (reply while the token is fresh, else push) under this event's key."""
        target = to or self.user_id
        if not self.outgoing or not target:
            return
        messages = self.outgoing[:MAX_MESSAGES]
        row = outbox.queue_message(
            self.session,
            key=f"reply:{self.webhook_event_id}",
            to=target,
            messages=messages,
            member_id=self.member_id,
            reply_token=self.reply_token,
            event_time=self.occurred_at,
            reply_ttl_seconds=self.settings.reply_token_ttl_seconds,
        )
        self.queued_message_ids.append(row.id)
        self.outgoing = []
