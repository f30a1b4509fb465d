"""Plain value types shared by the fake LINE platform's modules.

Nothing here touches the network or the platform's state: these are the shapes that requests, replies,
faults and tokens take while the fake handles them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from typing import Any

JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received from the product, with the answer it gave.

    `headers` has lower-case keys; `json` is the parsed body, or None when the body was empty or not
    JSON (parsed when first read: most requests are recorded and never looked at); `response_json` is
    the JSON the fake answered with (None for binary answers such as content); `at` is the fake's clock
    when the request arrived.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    response_json: Any
    at: float
    request_id: str

    @cached_property
    def json(self) -> Any:
        """The parsed body, or None when it is empty or not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None

    def to_dict(self) -> dict[str, Any]:
        """Return the request as JSON-ready data (the body as text, or None when it is not UTF-8)."""
        try:
            body_text: str | None = self.body.decode("utf-8")
        except UnicodeDecodeError:
            body_text = None
        return {
            "method": self.method,
            "path": self.path,
            "query": dict(self.query),
            "headers": dict(self.headers),
            "bodyText": body_text,
            "json": self.json,
            "status": self.status,
            "responseJson": self.response_json,
            "at": self.at,
            "requestId": self.request_id,
        }


@dataclass(frozen=True)
class Call:
    """What a handler needs to know about one incoming request."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str]
    request_id: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    """What a handler answers: a JSON value, or raw bytes with their content type."""

    status: int
    json: Any = None
    data: bytes | None = None
    content_type: str = JSON_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)

    def body_bytes(self) -> bytes:
        """Return the bytes to put on the wire."""
        if self.data is not None:
            return self.data
        return json.dumps(self.json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_reply(status: int, message: str, details: list[dict[str, str]] | None = None,
                **extra: Any) -> Reply:
    """Build a Messaging API error answer: `{"message": ..., "details": [...]}` (details only if any)."""
    body: dict[str, Any] = {"message": message}
    if details:
        body["details"] = details
    body.update(extra)
    return Reply(status, body)


def oauth_error(status: int, description: str, error: str = "invalid_request") -> Reply:
    """Build a LINE Login error answer: `{"error": ..., "error_description": ...}`."""
    return Reply(status, {"error": error, "error_description": description})


@dataclass
class Fault:
    """A failure the test asked for: the next `remaining` matching requests get it."""

    path_prefix: str
    status: int | None
    remaining: int
    delay: float = 0.0
    body: Any = None
    method: str | None = None
    late: bool = False  # the request is handled at once; only its answer comes `delay` seconds later

    def matches(self, method: str, path: str) -> bool:
        """Say whether this fault applies to a request with this method and path."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)

    def reply(self) -> Reply | None:
        """Return the answer this fault forces, or None when it only slows the request down."""
        if self.status is None:
            return None
        if self.body is not None:
            return Reply(self.status, self.body)
        if self.status == 429:
            return error_reply(429, "The API rate limit has been exceeded. Try again later.")
        if self.status == 500:
            return error_reply(500, "Internal server error")
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        return error_reply(self.status, phrase)


@dataclass(frozen=True)
class AcceptedRetryKey:
    """A retry key LINE accepted: who accepted it, when, and what it sent."""

    request_id: str
    accepted_at: float
    sent_messages: list[dict[str, str]] | None


@dataclass
class ReplyTokenRecord:
    """A reply token the fake issued for an event from `chat_id`."""

    chat_id: str
    issued_at: float
    used: bool = False


@dataclass(frozen=True)
class LoginAccessToken:
    """A LINE Login access token, as LIFF's `liff.getAccessToken()` returns it."""

    user_id: str
    client_id: str
    scope: str
    expires_at: float
