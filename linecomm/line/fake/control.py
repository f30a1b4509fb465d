"""The `/_fake/` HTTP endpoints: drive the fake from another process (JSON in, JSON out).

They mirror `FakeLinePlatform`'s Python API one to one, so a browser test or the `linecomm fake-line`
command can set the scene (friends, reply tokens, LIFF tokens, faults, quota) and read what LINE saw.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linecomm.line.fake.records import Call, Reply

if TYPE_CHECKING:
    from linecomm.line.fake.platform import FakeLinePlatform


def _body(request: Call) -> dict[str, Any]:
    data = request.body
    if not data:
        return {}
    value = json.loads(data)
    if not isinstance(value, dict):
        raise ValueError("the request body must be a JSON object")
    return value


def control_routes(fake: FakeLinePlatform) -> list[tuple[str, str, Any]]:
    """Return (path, method, handler) for every control endpoint, bound to this fake."""

    def add_user(request: Call) -> Reply:
        body = _body(request)
        fake.add_user(body["userId"], body["displayName"], picture_url=body.get("pictureUrl"),
                      language=body.get("language", "ja"), status_message=body.get("statusMessage"))
        return Reply(200, {"userId": body["userId"]})

    def reply_token(request: Call) -> Reply:
        return Reply(200, {"replyToken": fake.issue_reply_token(_body(request)["userId"])})

    def inbound(request: Call) -> Reply:
        body = _body(request)
        fake.record_inbound(body["userId"], body["event"])
        return Reply(200, {})

    def conversation(request: Call, user_id: str) -> Reply:
        return Reply(200, fake.conversation(user_id))

    def messages(request: Call, user_id: str) -> Reply:
        return Reply(200, fake.messages_to(user_id))

    def requests(request: Call) -> Reply:
        return Reply(200, [recorded.to_dict() for recorded in fake.requests])

    def faults(request: Call) -> Reply:
        body = _body(request)
        fake.inject_fault(body["pathPrefix"], status=body.get("status", 500), times=body.get("times", 1),
                          delay=body.get("delay", 0.0), body=body.get("body"), method=body.get("method"))
        return Reply(200, {})

    def reset(request: Call) -> Reply:
        fake.reset()
        return Reply(200, {})

    def liff_tokens(request: Call) -> Reply:
        body = _body(request)
        user_id = body["userId"]
        access_token = fake.issue_liff_access_token(
            user_id, expires_in=body.get("expiresIn", 2592000), client_id=body.get("clientId"))
        id_token = fake.issue_liff_id_token(user_id, nonce=body.get("nonce"),
                                            expires_in=body.get("idTokenExpiresIn", 3600))
        return Reply(200, {"accessToken": access_token, "idToken": id_token})

    def quota(request: Call) -> Reply:
        fake.set_monthly_quota(_body(request).get("monthly"))
        return Reply(200, {})

    def rate_limit(request: Call) -> Reply:
        fake.set_multicast_rate_limit(_body(request).get("multicast"))
        return Reply(200, {})

    def stats(request: Call) -> Reply:
        return Reply(200, fake.stats())

    def content(request: Call, message_id: str) -> Reply:
        fake.add_content(message_id, request.body,
                         content_type=request.headers.get("content-type") or "application/octet-stream")
        return Reply(200, {})

    def rich_menu_shown(request: Call, user_id: str) -> Reply:
        return Reply(200, {"richMenu": fake.rich_menu_shown_to(user_id)})

    def rich_menu_image(request: Call, menu_id: str) -> Reply:
        image = fake.rich_menu_image(menu_id)
        if image is None:
            return Reply(404, {"error": "no such rich menu image"})
        return Reply(200, data=image[0], content_type=image[1])

    return [
        ("/_fake/users", "POST", add_user),
        ("/_fake/reply-tokens", "POST", reply_token),
        ("/_fake/inbound", "POST", inbound),
        ("/_fake/conversation/<user_id>", "GET", conversation),
        ("/_fake/messages/<user_id>", "GET", messages),
        ("/_fake/requests", "GET", requests),
        ("/_fake/faults", "POST", faults),
        ("/_fake/reset", "POST", reset),
        ("/_fake/liff/tokens", "POST", liff_tokens),
        ("/_fake/quota", "POST", quota),
        ("/_fake/rate-limit", "POST", rate_limit),
        ("/_fake/content/<message_id>", "POST", content),
        ("/_fake/stats", "GET", stats),
        ("/_fake/richmenu/shown/<user_id>", "GET", rich_menu_shown),
        ("/_fake/richmenu/<menu_id>/image", "GET", rich_menu_image),
    ]
