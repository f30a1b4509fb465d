"""Signed webhook bodies for the benchmarks: LINE-shaped events, every webhookEventId unique.

A body is what LINE POSTs: `{"destination": ..., "events": [10 events]}` signed with the channel secret.
Event ids encode where they came from (run, wrk thread, body number, event number), so after a run the
database can be asked which bodies were stored, and whether any body was stored only in part.
"""
from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from linecomm.webhooks.ingest import signature_of

EVENTS_PER_BODY = 10
DESTINATION = "U" + "b" * 32
# What a community's chat looks like: mostly text, some follows and postbacks, the odd unfollow.
MIX = ("message", "message", "follow", "message", "postback", "message", "message", "follow", "message", "unfollow")
TEXTS = ("こんにちは", "ヘルプ", "参加", "今日のイベントは何時からですか？", "ありがとうございます！")
ID_PREFIX_CHARS = 17  # len(body_prefix(...)): "B" + run (4) + "T" + thread (2) + body (9)


def event_id(run: str, thread: int, body: int, event: int) -> str:
    """A 26-character webhookEventId (LINE uses ULIDs, 26 characters) that says where it came from."""
    return f"B{run}T{thread:02d}{body:09d}E{event:02d}".ljust(26, "0")


def body_prefix(run: str, thread: int, body: int) -> str:
    """The leading part every event id of one body shares (see `event_id`)."""
    return f"B{run}T{thread:02d}{body:09d}"


def make_event(kind: str, eid: str, user_id: str, timestamp_ms: int, reply_token: str | None,
               text: str = "こんにちは") -> dict[str, Any]:
    """One event as LINE sends it (https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects)."""
    event: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": timestamp_ms,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": eid,
        "deliveryContext": {"isRedelivery": False},
    }
    if kind != "unfollow":
        event["replyToken"] = reply_token or secrets.token_hex(16)
    if kind == "message":
        event["message"] = {"id": str(uuid.uuid4().int)[:18], "type": "text", "text": text,
                            "quoteToken": secrets.token_urlsafe(48)}
    elif kind == "follow":
        event["follow"] = {"isUnblocked": False}
    elif kind == "postback":
        event["postback"] = {"data": "action=join"}
    return event


def make_body(run: str, thread: int, index: int, *, mix: tuple[str, ...] = MIX,
              user_of: Callable[[int, int], str] | None = None,
              reply_token_for: Callable[[str], str] | None = None,
              now_ms: int | None = None, texts: list[str] | None = None) -> bytes:
    """One webhook body of len(mix) events with fresh ids. `user_of(index, n)` picks the LINE user of
    event n; `reply_token_for(user_id)` issues the reply token (the fake platform only honours its own)."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    events = []
    for n, kind in enumerate(mix):
        user_id = user_of(index, n) if user_of else "U" + uuid.uuid4().hex
        token = reply_token_for(user_id) if (reply_token_for and kind != "unfollow") else None
        events.append(make_event(kind, event_id(run, thread, index, n), user_id, now_ms + n, token,
                                 texts[n] if texts else TEXTS[(index + n) % len(TEXTS)]))
    return json.dumps({"destination": DESTINATION, "events": events}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def signed_bodies(secret: str, run: str, thread: int, count: int, **kwargs: Any) -> Iterator[tuple[str, bytes]]:
    """(X-Line-Signature, body) for `count` fresh bodies of one wrk thread."""
    for index in range(count):
        body = make_body(run, thread, index, **kwargs)
        yield signature_of(body, secret), body


def write_body_file(path: Path, secret: str, run: str, thread: int, count: int, **kwargs: Any) -> int:
    """Write `signature<TAB>body` lines for wrk's Lua script to read; return the bytes written."""
    written = 0
    with path.open("wb") as out:
        for signature, body in signed_bodies(secret, run, thread, count, **kwargs):
            if b"\n" in body or b"\t" in body:  # JSON escapes both; a raw one would break the file format
                raise ValueError("a body contains a raw newline or tab")
            line = signature.encode("ascii") + b"\t" + body + b"\n"
            out.write(line)
            written += len(line)
    return written
