"""Play a LINE user: build webhook events as LINE does, sign them and POST them to linecomm.

Used by `linecomm simulate`, the demo's chat console and the tests. When a fake LINE platform is given,
the user and each reply token are registered with it first, as LINE would know them."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from linecomm.webhooks.ingest import signature_of


def _event_id() -> str:
    # LINE's webhookEventId is a 26-character ULID; a random one of that shape is enough here.
    return uuid.uuid4().hex[:26].upper()


def _base(kind: str, user_id: str, reply_token: str | None, **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": _event_id(),
        "deliveryContext": {"isRedelivery": False},
    }
    if reply_token:
        event["replyToken"] = reply_token
    event.update(extra)
    return event


def follow_event(user_id: str, reply_token: str | None = None, unblocked: bool = False) -> dict[str, Any]:
    return _base("follow", user_id, reply_token or uuid.uuid4().hex, follow={"isUnblocked": unblocked})


def unfollow_event(user_id: str) -> dict[str, Any]:
    return _base("unfollow", user_id, None)


def text_event(user_id: str, text: str, reply_token: str | None = None) -> dict[str, Any]:
    message = {"id": str(uuid.uuid4().int)[:18], "type": "text", "text": text, "quoteToken": uuid.uuid4().hex}
    return _base("message", user_id, reply_token or uuid.uuid4().hex, message=message)


def image_event(user_id: str, message_id: str | None = None, reply_token: str | None = None,
                image_set: dict[str, Any] | None = None) -> dict[str, Any]:
    """A photo sent in chat; its bytes are fetched from the content API by message id."""
    message: dict[str, Any] = {"id": message_id or str(uuid.uuid4().int)[:18], "type": "image",
                               "contentProvider": {"type": "line"}, "quoteToken": uuid.uuid4().hex}
    if image_set:
        message["imageSet"] = image_set
    return _base("message", user_id, reply_token or uuid.uuid4().hex, message=message)


def postback_event(user_id: str, data: str, reply_token: str | None = None) -> dict[str, Any]:
    return _base("postback", user_id, reply_token or uuid.uuid4().hex, postback={"data": data})


def body_of(events: list[dict[str, Any]], destination: str = "Ulinecommdemo") -> bytes:
    return json.dumps({"destination": destination, "events": events}, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Delivery:
    status: int
    body: str


def post_webhook(webhook_url: str, channel_secret: str, body: bytes, timeout: float = 10.0) -> Delivery:
    """POST a signed body as LINE's webhook delivery does."""
    request = urllib.request.Request(
        webhook_url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Line-Signature": signature_of(body, channel_secret)},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Delivery(response.status, response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return Delivery(exc.code, exc.read().decode("utf-8", "replace"))


def _fake_call(fake_url: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        fake_url.rstrip("/") + path,
        data=json.dumps(payload).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read() or b"{}")


class SimulatedUser:
    """A LINE user talking to the account: each action is one signed webhook request."""

    def __init__(
        self,
        user_id: str,
        webhook_url: str,
        channel_secret: str,
        fake_url: str | None = None,
        display_name: str | None = None,
    ):
        self.user_id = user_id
        self.webhook_url = webhook_url
        self.channel_secret = channel_secret
        self.fake_url = fake_url
        if fake_url:
            _fake_call(fake_url, "/_fake/users", {"userId": user_id, "displayName": display_name or user_id[-6:]})

    def _reply_token(self) -> str | None:
        if not self.fake_url:
            return None
        return _fake_call(self.fake_url, "/_fake/reply-tokens", {"userId": self.user_id})["replyToken"]

    def _send(self, event: dict[str, Any]) -> Delivery:
        if self.fake_url:
            _fake_call(self.fake_url, "/_fake/inbound", {"userId": self.user_id, "event": event})
        return post_webhook(self.webhook_url, self.channel_secret, body_of([event]))

    def follow(self, unblocked: bool = False) -> Delivery:
        return self._send(follow_event(self.user_id, self._reply_token(), unblocked))

    def unfollow(self) -> Delivery:
        return self._send(unfollow_event(self.user_id))

    def say(self, text: str) -> Delivery:
        return self._send(text_event(self.user_id, text, self._reply_token()))

    def send_image(self, message_id: str | None = None, image_set: dict[str, Any] | None = None) -> Delivery:
        return self._send(image_event(self.user_id, message_id, self._reply_token(), image_set))

    def tap(self, data: str) -> Delivery:
        return self._send(postback_event(self.user_id, data, self._reply_token()))
