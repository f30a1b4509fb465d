"""Handlers for the Messaging API endpoints the fake serves (`/v2/bot/...`).

Each handler takes the channel's state and one `Call` and returns a `Reply`; it never raises for bad
input, it answers as LINE would. Sending follows LINE's order: parse the body, check the retry key's
form, validate the body, then (atomically) the rate limit, an earlier acceptance of the retry key, the
recipients and the monthly quota, and only then deliver and remember the key. Anything refused before
delivery leaves the retry key unused.
"""

from __future__ import annotations

import json
import re
from typing import Any

from linecomm.line.fake.records import Call, Reply, error_reply
from linecomm.line.fake.state import ChannelState
from linecomm.line.fake.validation import validate_messages, validate_send_request

RETRY_KEY_HEADER = "x-line-retry-key"
RETRYABLE_KINDS = frozenset({"push", "multicast", "narrowcast", "broadcast"})
RATE_LIMITED = "The API rate limit has been exceeded. Try again later."
MONTHLY_LIMIT = "You have reached your monthly limit."
NOT_FOUND = "Not found"
USER_ID_PATTERN = re.compile(r"U[0-9a-f]{32}")
UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def parse_json_body(body: bytes) -> tuple[dict[str, Any] | None, Reply | None]:
    """Parse a JSON request body; on failure return LINE's 400 naming the line and column."""
    try:
        value = json.loads(body.decode("utf-8") if body else "")
    except UnicodeDecodeError:
        return None, error_reply(400, "The request body could not be parsed as JSON (line: 1, column: 1)")
    except json.JSONDecodeError as exc:
        return None, error_reply(
            400, f"The request body could not be parsed as JSON (line: {exc.lineno}, column: {exc.colno})")
    if not isinstance(value, dict):
        return None, error_reply(400, "The request body could not be parsed as JSON (line: 1, column: 1)")
    return value, None


def _details_reply(details: list[dict[str, str]]) -> Reply:
    return error_reply(400, f"The request body has {len(details)} error(s)", details)


def _retry_key(call: Call, kind: str) -> tuple[str | None, Reply | None]:
    """Read X-Line-Retry-Key: LINE accepts it only on the four send endpoints, and only as a UUID."""
    key = call.headers.get(RETRY_KEY_HEADER)
    if key is None:
        return None, None
    if kind not in RETRYABLE_KINDS:
        return None, error_reply(400, "X-Line-Retry-Key is not supported by this endpoint")
    if not UUID_PATTERN.fullmatch(key):
        return None, error_reply(400, "The value of the X-Line-Retry-Key header is invalid",
                                 [{"message": "Must be a UUID", "property": "X-Line-Retry-Key"}])
    return key.lower(), None


def reply_message(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/message/reply: answer an event once, with a fresh, unused reply token."""
    body, failure = parse_json_body(call.body)
    if failure is not None:
        return failure
    assert body is not None
    _, failure = _retry_key(call, "reply")
    if failure is not None:
        return failure
    details = validate_send_request(body, "reply")
    if details:
        return _details_reply(details)
    with state.lock:
        chat_id = state.consume_reply_token(body["replyToken"])
        if chat_id is None:
            return error_reply(400, "Invalid reply token")
        sent = state.deliver([chat_id], "reply", body["messages"], call.request_id, billed=False)
    return Reply(200, {"sentMessages": sent})


def push_message(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/message/push: send to one user, group or room; billed."""
    return _send(state, call, "push")


def multicast(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/message/multicast: send to up to 500 users; billed per recipient; rate limited."""
    return _send(state, call, "multicast")


def broadcast(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/message/broadcast: send to every friend; billed per recipient."""
    return _send(state, call, "broadcast")


def narrowcast(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/message/narrowcast: the fake supports only "every friend" (no recipient or filter)."""
    return _send(state, call, "narrowcast")


def _send(state: ChannelState, call: Call, kind: str) -> Reply:
    body, failure = parse_json_body(call.body)
    if failure is not None:
        return failure
    assert body is not None
    key, failure = _retry_key(call, kind)
    if failure is not None:
        return failure
    details = validate_send_request(body, kind)
    if details:
        return _details_reply(details)
    if kind == "narrowcast" and (body.get("recipient") or body.get("filter")):
        return error_reply(400, "The fake LINE platform cannot target narrowcast audiences or filters")
    with state.lock:
        if kind == "multicast" and not state.admit_multicast():
            return error_reply(429, RATE_LIMITED)
        if key is not None:
            accepted = state.accepted_retry_key(key)
            if accepted is not None:
                return _already_accepted(kind, accepted.request_id, accepted.sent_messages)
        recipients, failure = _recipients(state, kind, body)
        if failure is not None:
            return failure
        if state.over_quota(len(recipients)):
            return error_reply(429, MONTHLY_LIMIT)
        sent = state.deliver(recipients, kind, body["messages"], call.request_id, billed=True)
        if key is not None:
            state.accept_retry_key(key, call.request_id, sent if kind == "push" else None)
    if kind == "push":
        return Reply(200, {"sentMessages": sent})
    if kind == "narrowcast":
        return Reply(202, {})
    return Reply(200, {})


def _already_accepted(kind: str, request_id: str, sent: list[dict[str, str]] | None) -> Reply:
    """LINE's 409: the accepted request's ID in a header, and for a push the messages it sent."""
    extra: dict[str, Any] = {"sentMessages": sent} if kind == "push" and sent else {}
    reply = error_reply(409, "The retry key is already accepted", **extra)
    reply.headers["x-line-accepted-request-id"] = request_id
    return reply


def _recipients(state: ChannelState, kind: str, body: dict[str, Any]) -> tuple[list[str], Reply | None]:
    """Who a send reaches. A push to someone outside the channel fails as on LINE ("Failed to send
    messages"); multicast silently skips IDs that are not friends, as LINE does for blocked users."""
    if kind == "push":
        if not state.can_receive_push(body["to"]):
            return [], error_reply(400, "Failed to send messages")
        return [body["to"]], None
    if kind == "multicast":
        seen: set[str] = set()
        recipients = []
        for user_id in body["to"]:
            friend = user_id in state.users or (state.open_audience and USER_ID_PATTERN.fullmatch(user_id))
            if friend and user_id not in seen:
                seen.add(user_id)
                recipients.append(user_id)
        return recipients, None
    return sorted(state.users), None


def validate(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/message/validate/{kind}: check only the `messages` property; 200 `{}` if valid."""
    body, failure = parse_json_body(call.body)
    if failure is not None:
        return failure
    assert body is not None
    if call.params.get("kind") not in ("reply", "push", "multicast", "narrowcast", "broadcast"):
        return error_reply(404, NOT_FOUND)
    details = validate_messages(body)
    if details:
        return _details_reply(details)
    return Reply(200, {})


def get_profile(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/profile/{userId}: the friend's profile, or 404 "Not found"."""
    with state.lock:
        profile = state.users.get(call.params["userId"])
    if profile is None:
        return error_reply(404, NOT_FOUND)
    return Reply(200, {k: v for k, v in profile.items() if v is not None})


def get_quota(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/message/quota: `{"type": "none"}` or `{"type": "limited", "value": n}`."""
    quota = state.monthly_quota
    if quota is None:
        return Reply(200, {"type": "none"})
    return Reply(200, {"type": "limited", "value": quota})


def get_consumption(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/message/quota/consumption: billed messages this month (replies are free)."""
    return Reply(200, {"totalUsage": state.usage_this_month()})


def get_content(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/message/{messageId}/content: the bytes a user sent, as stored; 404 otherwise."""
    with state.lock:
        stored = state.contents.get(call.params["messageId"])
    if stored is None:
        return error_reply(404, NOT_FOUND)
    data, content_type = stored
    return Reply(200, data=data, content_type=content_type)


def leave_chat(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/group/{groupId}/leave and /v2/bot/room/{roomId}/leave: 404 if already left."""
    chat_id = call.params.get("groupId") or call.params.get("roomId") or ""
    with state.lock:
        if chat_id in state.left_chats:
            return error_reply(404, NOT_FOUND)
        state.leave_chat(chat_id)
    return Reply(200, {})
