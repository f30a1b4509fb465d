"""The fake LINE platform answers as LINE does, over real HTTP, to the real SDK client."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    ButtonsTemplate,
    Configuration,
    ConfirmTemplate,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexText,
    ImageMessage,
    MessageAction,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    StickerMessage,
    TemplateMessage,
    TextMessage,
)

from linecomm.line.fake import FakeLinePlatform
from linecomm.line.sdk_client import SdkLineClient
from tests.support.line_openapi import assert_conforms_to_openapi

TOKEN = "test-token"
LOGIN_CHANNEL = "1234567890"
ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32
STRANGER = "U" + "c" * 32
GROUP = "C" + "d" * 32
ROOM = "R" + "e" * 32
MISSING_TOKEN_MESSAGE = "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"


class FakeClock:
    """A clock the test moves by hand, so expiry is tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock):
    platform = FakeLinePlatform(channel_access_token=TOKEN, login_channel_id=LOGIN_CHANNEL, clock=clock)
    platform.start()
    platform.add_user(ALICE, "山田 花子", picture_url="https://profile.line-scdn.net/alice",
                      status_message="こんにちは")
    platform.add_user(BOB, "佐藤 太郎")
    yield platform
    platform.stop()


@pytest.fixture
def api_client(fake: FakeLinePlatform):
    with ApiClient(Configuration(host=fake.url, access_token=TOKEN)) as client:
        yield client


@pytest.fixture
def api(api_client: ApiClient) -> MessagingApi:
    return MessagingApi(api_client)


def call(fake: FakeLinePlatform, method: str, path: str, body: Any = None, *, token: str | None = TOKEN,
         headers: dict[str, str] | None = None, raw: bytes | None = None,
         form: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """Send one HTTP request to the fake; return (status, lower-case headers, parsed JSON or None)."""
    all_headers = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        all_headers.setdefault("Content-Type", "application/json")
    if form is not None:
        data = urllib.parse.urlencode(form).encode("ascii")
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token is not None:
        all_headers.setdefault("Authorization", f"Bearer {token}")
    request = urllib.request.Request(fake.url + path, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, got_headers, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, got_headers, payload = error.code, error.headers, error.read()
    lowered = {key.lower(): value for key, value in got_headers.items()}
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = None
    return status, lowered, parsed


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def push_body(*messages: dict[str, Any], to: str = ALICE) -> dict[str, Any]:
    return {"to": to, "messages": list(messages)}


def push_with_key(fake: FakeLinePlatform, key: str, message: str = "x") -> int:
    """Push one text to ALICE with this retry key; return the status."""
    headers = {"X-Line-Retry-Key": key}
    return call(fake, "POST", "/v2/bot/message/push", push_body(text(message)), headers=headers)[0]


def bubble(filler: str = "") -> dict[str, Any]:
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                        "contents": [{"type": "text", "text": "お知らせ" + filler}]}}


# --- the SDK against the fake ----------------------------------------------------------------------


def test_reply_via_sdk_delivers_once_and_the_token_works_only_once(fake, api):
    token = fake.issue_reply_token(ALICE)
    response = api.reply_message(ReplyMessageRequest(reply_token=token,
                                                     messages=[TextMessage(text="ありがとう")]))
    assert len(response.sent_messages) == 1 and response.sent_messages[0].quote_token

    with pytest.raises(ApiException) as refused:
        api.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="again")]))
    assert refused.value.status == 400
    assert json.loads(refused.value.body) == {"message": "Invalid reply token"}
    assert fake.messages_to(ALICE) == [{"type": "text", "text": "ありがとう"}]


def test_reply_token_expires_after_one_minute(fake, api, clock):
    fresh, stale = fake.issue_reply_token(ALICE), fake.issue_reply_token(ALICE)
    clock.advance(59)
    api.reply_message(ReplyMessageRequest(reply_token=fresh, messages=[TextMessage(text="間に合いました")]))
    clock.advance(2)
    with pytest.raises(ApiException) as refused:
        api.reply_message(ReplyMessageRequest(reply_token=stale, messages=[TextMessage(text="遅い")]))
    assert refused.value.status == 400 and json.loads(refused.value.body)["message"] == "Invalid reply token"
    assert [m["text"] for m in fake.messages_to(ALICE)] == ["間に合いました"]


def test_an_invalid_reply_body_does_not_use_up_the_token(fake):
    token = fake.issue_reply_token(ALICE)
    status, _, body = call(fake, "POST", "/v2/bot/message/reply", {"replyToken": token, "messages": []})
    assert status == 400 and body["details"] == [{"message": "Size must be between 1 and 5",
                                                  "property": "messages"}]
    status, _, _ = call(fake, "POST", "/v2/bot/message/reply",
                        {"replyToken": token, "messages": [text("ok")]})
    assert status == 200


def test_push_with_a_repeated_retry_key_gets_409_and_is_not_delivered_again(fake, api):
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=ALICE, messages=[TextMessage(text="ポイントが付与されました")])
    first = api.push_message_with_http_info(request, x_line_retry_key=key)
    assert first.status_code == 200

    with pytest.raises(ApiException) as conflict:
        api.push_message(request, x_line_retry_key=key)
    assert conflict.value.status == 409
    assert conflict.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert conflict.value.headers["x-line-request-id"] != first.headers["x-line-request-id"]
    body = json.loads(conflict.value.body)
    assert body["message"] == "The retry key is already accepted"
    assert body["sentMessages"] == [m.to_dict() for m in first.data.sent_messages]
    assert len(fake.messages_to(ALICE)) == 1


def test_multicast_with_a_repeated_retry_key_gets_409_without_sent_messages(fake, api):
    key = str(uuid.uuid4())
    request = MulticastRequest(to=[ALICE, BOB], messages=[TextMessage(text="新しいアンケートです")])
    api.multicast(request, x_line_retry_key=key)
    status, headers, body = call(fake, "POST", "/v2/bot/message/multicast", request.to_dict(),
                                 headers={"X-Line-Retry-Key": key})
    assert status == 409 and body == {"message": "The retry key is already accepted"}
    assert headers["x-line-accepted-request-id"] == fake.requests[0].request_id
    assert len(fake.messages_to(ALICE)) == len(fake.messages_to(BOB)) == 1


def test_multicast_bills_each_friend_and_replies_are_free(fake, api, api_client):
    api.multicast(MulticastRequest(to=[ALICE, BOB, STRANGER], messages=[TextMessage(text="お知らせ")]))
    api.reply_message(ReplyMessageRequest(reply_token=fake.issue_reply_token(BOB),
                                          messages=[TextMessage(text="返信")]))
    assert [m["text"] for m in fake.messages_to(ALICE)] == ["お知らせ"]
    assert [m["text"] for m in fake.messages_to(BOB)] == ["お知らせ", "返信"]
    assert fake.messages_to(STRANGER) == []
    assert api.get_message_quota_consumption().total_usage == 2
    assert api.get_message_quota().type == "none"


def test_profile_quota_leave_and_content_via_sdk(fake, api, api_client):
    profile = api.get_profile(ALICE)
    assert (profile.user_id, profile.display_name, profile.language) == (ALICE, "山田 花子", "ja")
    assert profile.picture_url == "https://profile.line-scdn.net/alice"
    with pytest.raises(ApiException) as missing:
        api.get_profile(STRANGER)
    assert missing.value.status == 404 and json.loads(missing.value.body) == {"message": "Not found"}

    fake.set_monthly_quota(1000)
    quota = api.get_message_quota()
    assert (quota.type, quota.value) == ("limited", 1000)

    api.leave_group(GROUP)
    api.leave_room(ROOM)
    with pytest.raises(ApiException) as gone:
        api.leave_group(GROUP)
    assert gone.value.status == 404

    fake.add_content("400000000000000001", b"\xff\xd8\xff\xe0jpeg bytes", content_type="image/jpeg")
    blob = MessagingApiBlob(api_client)
    assert bytes(blob.get_message_content("400000000000000001")) == b"\xff\xd8\xff\xe0jpeg bytes"
    with pytest.raises(ApiException) as no_content:
        blob.get_message_content("400000000000000002")
    assert no_content.value.status == 404
    assert_conforms_to_openapi(fake.requests)


def test_push_to_a_left_group_or_a_stranger_fails_to_send(fake, api):
    api.push_message(PushMessageRequest(to=GROUP, messages=[TextMessage(text="グループへ")]))
    api.leave_group(GROUP)
    for to in (GROUP, STRANGER):
        status, _, body = call(fake, "POST", "/v2/bot/message/push", push_body(text("x"), to=to))
        assert (status, body) == (400, {"message": "Failed to send messages"})
    assert [m["text"] for m in fake.messages_to(GROUP)] == ["グループへ"]


def test_rich_messages_within_limits_are_accepted_and_conform_to_the_spec(fake, api):
    quick = QuickReply(items=[QuickReplyItem(action=PostbackAction(label="回答する" + "あ" * 16, data="s=1"))
                              for _ in range(13)])
    messages = [
        TextMessage(text="😀" * 2500, quick_reply=quick),  # 5,000 UTF-16 units: the most LINE takes
        ImageMessage(original_content_url="https://example.com/a.jpg",
                     preview_image_url="https://example.com/a-preview.jpg"),
        StickerMessage(package_id="446", sticker_id="1988"),
        FlexMessage(alt_text="新着のお知らせ", contents=FlexBubble(body=FlexBox(layout="vertical", contents=[
            FlexText(text="アンケートのお願い"),
            FlexButton(action=PostbackAction(label="答える", data="survey=12", display_text="答える"))]))),
        TemplateMessage(alt_text="ご確認ください", template=ConfirmTemplate(text="参加しますか？", actions=[
            MessageAction(label="はい", text="はい"), MessageAction(label="いいえ", text="いいえ")])),
    ]
    response = api.push_message(PushMessageRequest(to=ALICE, messages=messages),
                                x_line_retry_key=str(uuid.uuid4()))
    assert len(response.sent_messages) == 5
    api.push_message(PushMessageRequest(to=BOB, messages=[TemplateMessage(
        alt_text="メニュー", template=ButtonsTemplate(title="メニュー", text="選んでください", actions=[
            PostbackAction(label="ポイント", data="menu=points")]))]))
    assert len(fake.messages_to(ALICE)) == 5
    assert_conforms_to_openapi(fake.requests)


# --- LINE's refusals ----------------------------------------------------------------------------


def test_every_response_carries_a_request_id(fake):
    for method, path, token in [("GET", "/v2/bot/message/quota", TOKEN), ("GET", "/v2/bot/nothing", TOKEN),
                                ("GET", "/v2/bot/message/quota", None), ("GET", "/oauth2/v2.1/verify", None)]:
        _, headers, _ = call(fake, method, path, token=token)
        assert uuid.UUID(headers["x-line-request-id"])
    ids = [recorded.request_id for recorded in fake.requests]
    assert len(set(ids)) == 4


def test_401_without_or_with_a_wrong_channel_access_token(fake):
    status, _, body = call(fake, "POST", "/v2/bot/message/push", push_body(text("x")), token=None)
    assert status == 401
    assert body == {"message": "Authorization header required. Must follow the scheme, "
                               "'Authorization: Bearer <ACCESS TOKEN>'"}
    status, _, body = call(fake, "GET", "/v2/bot/profile/" + ALICE, token="not-the-token")
    assert status == 401
    assert body == {"message": "Authentication failed. Confirm that the access token in the authorization "
                               "header is valid."}
    with ApiClient(Configuration(host=fake.url, access_token="expired")) as client:
        with pytest.raises(ApiException) as refused:
            MessagingApi(client).get_message_quota()
    assert refused.value.status == 401
    assert fake.messages_to(ALICE) == []


def _template(template: dict[str, Any], alt: str = "alt") -> dict[str, Any]:
    return {"type": "template", "altText": alt, "template": template}


def _postback(label: str = "はい", data: str = "x") -> dict[str, Any]:
    return {"type": "postback", "label": label, "data": data}


def _quick(*items: dict[str, Any]) -> dict[str, Any]:
    return {**text("どれにしますか"), "quickReply": {"items": list(items)}}


def _qr_item(label: str = "はい", data: str = "x") -> dict[str, Any]:
    return {"type": "action", "action": _postback(label, data)}


LIMIT_CASES = {
    "no messages": ({"to": ALICE, "messages": []}, "messages", "Size must be between 1 and 5"),
    "six messages": (push_body(*[text("x")] * 6), "messages", "Size must be between 1 and 5"),
    "no to": ({"messages": [text("x")]}, "to", "May not be empty"),
    "unknown type": (push_body({"type": "txt", "text": "x"}), "messages[0].type",
                     "Must be one of the following values: "
                     "[text, image, video, audio, location, sticker, template, imagemap, flex]"),
    "empty text": (push_body(text("")), "messages[0].text", "May not be empty"),
    "text over 5000 UTF-16 units": (push_body(text("😀" * 2501)), "messages[0].text",
                                    "Length must be between 0 and 5000"),
    "14 quick replies": (push_body(_quick(*[_qr_item()] * 14)), "messages[0].quickReply.items",
                         "Size must be between 1 and 13"),
    "quick reply label over 20": (push_body(_quick(_qr_item(label="あ" * 21))),
                                  "messages[0].quickReply.items[0].action.label",
                                  "Length must be between 0 and 20"),
    "postback data over 300": (push_body(_quick(_qr_item(data="d" * 301))),
                               "messages[0].quickReply.items[0].action.data",
                               "Length must be between 0 and 300"),
    "image over http": (push_body({"type": "image", "originalContentUrl": "http://example.com/a.jpg",
                                   "previewImageUrl": "https://example.com/p.jpg"}),
                        "messages[0].originalContentUrl", "Must be a valid HTTPS URL"),
    "image URL over 2000": (push_body({"type": "image", "previewImageUrl": "https://example.com/p.jpg",
                                       "originalContentUrl": "https://example.com/" + "a" * 1981}),
                            "messages[0].originalContentUrl", "Length must be between 0 and 2000"),
    "sticker without id": (push_body({"type": "sticker", "packageId": "446"}), "messages[0].stickerId",
                           "May not be empty"),
    "flex altText over 1500": (push_body({"type": "flex", "altText": "あ" * 1501, "contents": bubble()}),
                               "messages[0].altText", "Length must be between 0 and 1500"),
    "flex bubble over 30 KB": (push_body({"type": "flex", "altText": "a", "contents": bubble("x" * 31_000)}),
                               "messages[0].contents", "Size of a bubble must be at most 30720 bytes"),
    "carousel of 13 bubbles": (push_body({"type": "flex", "altText": "a",
                                          "contents": {"type": "carousel", "contents": [bubble()] * 13}}),
                               "messages[0].contents.contents", "Size must be between 1 and 12"),
    "carousel over 50 KB": (push_body({"type": "flex", "altText": "a", "contents": {
        "type": "carousel", "contents": [bubble("x" * 5000)] * 11}}),
        "messages[0].contents", "Size of a carousel must be at most 51200 bytes"),
    "template altText over 400": (push_body(_template({"type": "confirm", "text": "?", "actions": [
        _postback(), _postback()]}, alt="あ" * 401)), "messages[0].altText",
        "Length must be between 0 and 400"),
    "confirm with one action": (push_body(_template({"type": "confirm", "text": "?",
                                                     "actions": [_postback()]})),
                                "messages[0].template.actions", "Size must be between 2 and 2"),
    "buttons with five actions": (push_body(_template({"type": "buttons", "text": "?",
                                                       "actions": [_postback()] * 5})),
                                  "messages[0].template.actions", "Size must be between 1 and 4"),
    "template action label over 20": (push_body(_template({"type": "buttons", "text": "?", "actions": [
        _postback(label="あ" * 21)]})), "messages[0].template.actions[0].label",
        "Length must be between 0 and 20"),
}


@pytest.mark.parametrize("body, prop, message", LIMIT_CASES.values(), ids=LIMIT_CASES.keys())
def test_push_beyond_line_limits_is_refused_with_details(fake, body, prop, message):
    status, headers, answer = call(fake, "POST", "/v2/bot/message/push", body)
    assert status == 400, answer
    assert {"message": message, "property": prop} in answer["details"]
    assert answer["message"] == f"The request body has {len(answer['details'])} error(s)"
    assert "x-line-request-id" in headers
    assert fake.messages_to(ALICE) == []


@pytest.mark.parametrize("recipients", [[], [ALICE] * 501], ids=["empty", "501"])
def test_multicast_needs_1_to_500_recipients(fake, recipients):
    status, _, answer = call(fake, "POST", "/v2/bot/message/multicast",
                             {"to": recipients, "messages": [text("x")]})
    assert status == 400
    assert answer["details"] == [{"message": "Size must be between 1 and 500", "property": "to"}]
    assert fake.messages_to(ALICE) == []


def test_unparsable_json_and_oversized_bodies_are_refused(fake):
    status, _, answer = call(fake, "POST", "/v2/bot/message/push", raw=b'{"to": "U1",',
                             headers={"Content-Type": "application/json"})
    assert status == 400
    assert answer["message"].startswith("The request body could not be parsed as JSON (line: 1, column:")
    huge = push_body(text("x")) | {"padding": "x" * (2 * 1024 * 1024)}
    status, _, _ = call(fake, "POST", "/v2/bot/message/push", huge)
    assert status == 413
    assert fake.messages_to(ALICE) == []


def test_retry_key_must_be_a_uuid_and_only_on_send_endpoints(fake):
    status, _, answer = call(fake, "POST", "/v2/bot/message/push", push_body(text("x")),
                             headers={"X-Line-Retry-Key": "send-42"})
    assert status == 400
    assert answer["details"] == [{"message": "Must be a UUID", "property": "X-Line-Retry-Key"}]
    status, _, _ = call(fake, "POST", "/v2/bot/message/reply",
                        {"replyToken": fake.issue_reply_token(ALICE), "messages": [text("x")]},
                        headers={"X-Line-Retry-Key": str(uuid.uuid4())})
    assert status == 400
    assert fake.messages_to(ALICE) == []


def test_validate_endpoints_check_only_messages(fake):
    status, _, answer = call(fake, "POST", "/v2/bot/message/validate/push", {"messages": [text("ok")]})
    assert (status, answer) == (200, {})
    status, _, answer = call(fake, "POST", "/v2/bot/message/validate/multicast", {"messages": [text("")]})
    assert status == 400
    assert answer["details"] == [{"message": "May not be empty", "property": "messages[0].text"}]


# --- rate limit, quota, retry keys that were refused ----------------------------------------------------


def test_multicast_rate_limit_refuses_the_excess_then_recovers_a_second_later(fake, clock):
    fake.set_multicast_rate_limit(3)
    keys = [str(uuid.uuid4()) for _ in range(5)]
    answers = [call(fake, "POST", "/v2/bot/message/multicast", {"to": [ALICE], "messages": [text(f"#{i}")]},
                    headers={"X-Line-Retry-Key": key}) for i, key in enumerate(keys)]
    assert [status for status, _, _ in answers] == [200, 200, 200, 429, 429]
    assert answers[3][2] == {"message": "The API rate limit has been exceeded. Try again later."}
    assert [m["text"] for m in fake.messages_to(ALICE)] == ["#0", "#1", "#2"]

    clock.advance(1.0)
    status, _, _ = call(fake, "POST", "/v2/bot/message/multicast", {"to": [ALICE], "messages": [text("#3")]},
                        headers={"X-Line-Retry-Key": keys[3]})
    assert status == 200, "a request refused with 429 must not use up its retry key"
    assert [m["text"] for m in fake.messages_to(ALICE)][-1] == "#3"


def test_multicast_rate_limit_under_a_real_concurrent_burst():
    fake = FakeLinePlatform(channel_access_token=TOKEN, login_channel_id=LOGIN_CHANNEL,
                            multicast_rate_limit=5)
    fake.start()
    try:
        fake.add_user(ALICE, "山田 花子")

        def one(i: int) -> int:
            body = {"to": [ALICE], "messages": [text(str(i))]}
            return call(fake, "POST", "/v2/bot/message/multicast", body)[0]

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(one, range(40)))
        assert set(statuses) == {200, 429}
        assert len(fake.messages_to(ALICE)) == statuses.count(200)
        time.sleep(1.1)
        assert one(99) == 200
    finally:
        fake.stop()


def test_monthly_quota_counts_push_and_multicast_recipients_not_replies(fake, api):
    fake.set_monthly_quota(3)
    api.multicast(MulticastRequest(to=[ALICE, BOB], messages=[TextMessage(text="1")]))
    api.push_message(PushMessageRequest(to=ALICE, messages=[TextMessage(text="2"), TextMessage(text="3")]))
    key = str(uuid.uuid4())
    status, _, answer = call(fake, "POST", "/v2/bot/message/push", push_body(text("4")),
                             headers={"X-Line-Retry-Key": key})
    assert (status, answer) == (429, {"message": "You have reached your monthly limit."})
    api.reply_message(ReplyMessageRequest(reply_token=fake.issue_reply_token(ALICE),
                                          messages=[TextMessage(text="返信は無料")]))
    assert api.get_message_quota_consumption().total_usage == 3

    fake.set_monthly_quota(None)
    assert push_with_key(fake, key, "4") == 200
    assert [m["text"] for m in fake.messages_to(ALICE)] == ["1", "2", "3", "返信は無料", "4"]


# --- faults -------------------------------------------------------------------------------------------------


def test_an_injected_500_delivers_nothing_and_the_retry_succeeds_once(fake, api):
    fake.inject_fault("/v2/bot/message/push", status=500)
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=ALICE, messages=[TextMessage(text="再送します")])
    with pytest.raises(ApiException) as failed:
        api.push_message(request, x_line_retry_key=key)
    assert failed.value.status == 500 and failed.value.headers["x-line-request-id"]
    assert fake.messages_to(ALICE) == []
    api.push_message(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as conflict:
        api.push_message(request, x_line_retry_key=key)
    assert conflict.value.status == 409
    assert len(fake.messages_to(ALICE)) == 1


def test_faults_match_method_and_count_and_carry_a_custom_body(fake):
    fake.inject_fault("/v2/bot/message/", status=503, times=2, body={"message": "maintenance"}, method="POST")
    assert call(fake, "GET", "/v2/bot/message/quota")[0] == 200
    for _ in range(2):
        status, _, answer = call(fake, "POST", "/v2/bot/message/push", push_body(text("x")))
        assert (status, answer) == (503, {"message": "maintenance"})
    assert call(fake, "POST", "/v2/bot/message/push", push_body(text("x")))[0] == 200


def test_a_slow_push_that_times_out_was_delivered_and_its_retry_gets_409(fake, api):
    fake.inject_fault("/v2/bot/message/push", status=None, delay=1.0)
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=ALICE, messages=[TextMessage(text="遅れて届く")])
    with pytest.raises(Exception) as timed_out:  # urllib3's ReadTimeoutError, raised through the SDK
        api.push_message(request, x_line_retry_key=key, _request_timeout=0.2)
    assert "timed out" in str(timed_out.value).lower()
    deadline = time.monotonic() + 10
    while not fake.messages_to(ALICE) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake.messages_to(ALICE)) == 1
    with pytest.raises(ApiException) as conflict:
        api.push_message(request, x_line_retry_key=key)
    assert conflict.value.status == 409
    assert len(fake.messages_to(ALICE)) == 1


# --- LINE Login / LIFF -----------------------------------------------------------------------------------


def test_liff_access_token_verify_ok_expired_and_unknown(fake, clock):
    token = fake.issue_liff_access_token(ALICE, expires_in=600)
    status, headers, answer = call(fake, "GET", "/oauth2/v2.1/verify?access_token=" + token, token=None)
    assert status == 200 and "x-line-request-id" in headers
    assert answer == {"scope": "profile openid", "client_id": LOGIN_CHANNEL, "expires_in": 600}

    status, _, profile = call(fake, "GET", "/v2/profile", token=token)
    assert status == 200
    assert profile == {"userId": ALICE, "displayName": "山田 花子",
                       "pictureUrl": "https://profile.line-scdn.net/alice", "statusMessage": "こんにちは"}
    assert call(fake, "GET", "/v2/profile", token=TOKEN)[0] == 401

    clock.advance(601)
    status, _, answer = call(fake, "GET", "/oauth2/v2.1/verify?access_token=" + token, token=None)
    assert status == 400
    assert answer == {"error": "invalid_request", "error_description": "access token expired"}
    status, _, answer = call(fake, "GET", "/oauth2/v2.1/verify?access_token=never-issued", token=None)
    assert status == 400 and answer["error"] == "invalid_request"


def test_id_token_verify_returns_claims_and_names_what_is_wrong(fake, clock):
    id_token = fake.issue_id_token(ALICE, nonce="n-123")

    def verify(**form: str) -> tuple[int, Any]:
        status, _, answer = call(fake, "POST", "/oauth2/v2.1/verify", token=None, form=form)
        return status, answer

    status, claims = verify(id_token=id_token, client_id=LOGIN_CHANNEL, nonce="n-123", user_id=ALICE)
    assert status == 200
    assert {k: claims[k] for k in ("iss", "sub", "aud", "nonce", "name", "picture")} == {
        "iss": "https://access.line.me", "sub": ALICE, "aud": LOGIN_CHANNEL, "nonce": "n-123",
        "name": "山田 花子", "picture": "https://profile.line-scdn.net/alice"}
    assert claims["exp"] - claims["iat"] == 3600

    def description(**form: str) -> str:
        status, answer = verify(**form)
        assert status == 400 and answer["error"] == "invalid_request"
        return answer["error_description"]

    assert description(id_token=id_token, client_id="999") == "Invalid IdToken Audience."
    assert description(id_token=id_token, client_id=LOGIN_CHANNEL, nonce="other") == "Invalid IdToken Nonce."
    assert description(id_token=id_token, client_id=LOGIN_CHANNEL, user_id=BOB) == \
        "Invalid IdToken Subject Identifier."
    assert description(id_token=id_token[:-2] + "xx", client_id=LOGIN_CHANNEL) == "Invalid IdToken."
    clock.advance(3601)
    assert description(id_token=id_token, client_id=LOGIN_CHANNEL) == "IdToken expired."


# --- conversations and the control endpoints ------------------------------------------------------------


def test_conversation_shows_what_the_user_sent_and_what_they_received_in_order(fake, api):
    event = {"type": "message", "message": {"type": "text", "id": "1", "text": "ポイントは？"}}
    fake.record_inbound(ALICE, event)
    api.reply_message(ReplyMessageRequest(reply_token=fake.issue_reply_token(ALICE),
                                          messages=[TextMessage(text="120ポイントです")]))
    api.push_message(PushMessageRequest(to=ALICE, messages=[TextMessage(text="明日まで")]))
    api.multicast(MulticastRequest(to=[ALICE], messages=[TextMessage(text="新着")]))
    conversation = fake.conversation(ALICE)
    assert [(e["direction"], e["via"]) for e in conversation] == [
        ("in", "user"), ("out", "reply"), ("out", "push"), ("out", "multicast")]
    assert conversation[0]["event"] == event
    assert conversation[1]["messages"] == [{"type": "text", "text": "120ポイントです"}]
    assert all(entry["at"].endswith("+00:00") for entry in conversation)


def test_control_endpoints_drive_the_fake_from_another_process(fake):
    carol = "U" + "f" * 32

    def control(method: str, path: str, body: Any = None) -> Any:
        status, _, answer = call(fake, method, "/_fake" + path, body, token=None)
        assert status == 200, answer
        return answer

    control("POST", "/users", {"userId": carol, "displayName": "鈴木 一郎"})
    token = control("POST", "/reply-tokens", {"userId": carol})["replyToken"]
    control("POST", "/inbound", {"userId": carol, "event": {"type": "postback", "postback": {"data": "a=1"}}})
    reply = {"replyToken": token, "messages": [text("承りました")]}
    assert call(fake, "POST", "/v2/bot/message/reply", reply)[0] == 200
    assert [e["via"] for e in control("GET", f"/conversation/{carol}")] == ["user", "reply"]
    assert control("GET", "/requests")[0]["path"] == "/v2/bot/message/reply"

    tokens = control("POST", "/liff/tokens", {"userId": carol})
    verify_path = "/oauth2/v2.1/verify?access_token=" + tokens["accessToken"]
    assert call(fake, "GET", verify_path, token=None)[0] == 200
    assert tokens["idToken"].count(".") == 2

    control("POST", "/faults", {"pathPrefix": "/v2/bot/message/push", "status": 500})
    assert call(fake, "POST", "/v2/bot/message/push", push_body(text("x"), to=carol))[0] == 500
    control("POST", "/quota", {"monthly": 0})
    assert call(fake, "POST", "/v2/bot/message/push", push_body(text("x"), to=carol))[0] == 429
    control("POST", "/quota", {"monthly": None})
    control("POST", "/rate-limit", {"multicast": 0})
    assert call(fake, "POST", "/v2/bot/message/multicast", {"to": [carol], "messages": [text("x")]})[0] == 429

    control("POST", "/reset")
    assert fake.requests == [] and fake.conversation(carol) == []
    assert call(fake, "GET", "/v2/bot/profile/" + carol)[0] == 200, "reset keeps the channel's friends"


def test_reset_forgets_retry_keys_and_requests_but_keeps_configuration(fake, clock):
    fake.set_monthly_quota(100)
    key = str(uuid.uuid4())
    assert push_with_key(fake, key) == 200
    fake.reset()
    assert fake.requests == [] and fake.messages_to(ALICE) == []
    assert push_with_key(fake, key) == 200
    assert call(fake, "GET", "/v2/bot/message/quota")[2] == {"type": "limited", "value": 100}


def test_retry_keys_are_remembered_for_24_hours(fake, clock):
    key = str(uuid.uuid4())
    assert push_with_key(fake, key) == 200
    clock.advance(24 * 3600 - 1)
    assert push_with_key(fake, key) == 409
    clock.advance(2)
    assert push_with_key(fake, key) == 200


def test_concurrent_retries_with_one_key_deliver_exactly_once(fake):
    key = str(uuid.uuid4())
    barrier = threading.Barrier(8)

    def attempt(_: int) -> int:
        barrier.wait()
        return call(fake, "POST", "/v2/bot/message/push", push_body(text("一度だけ")),
                    headers={"X-Line-Retry-Key": key})[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    assert statuses == [200] + [409] * 7
    assert len(fake.messages_to(ALICE)) == 1


# --- HTTP/1.1: kept-alive connections --------------------------------------------------------------------


def connect(fake: FakeLinePlatform) -> http.client.HTTPConnection:
    address = urllib.parse.urlsplit(fake.url)
    return http.client.HTTPConnection(address.hostname, address.port, timeout=10)


def exchange(connection: http.client.HTTPConnection, method: str, path: str, body: Any = None, *,
             token: str | None = TOKEN, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """One request on an open connection; return (status, lower-case headers, parsed JSON or None).
    Every answer must say its length: the next answer on the connection starts right after it."""
    all_headers = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=data, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    answer_headers = {k.lower(): v for k, v in response.getheaders()}
    if method != "HEAD":
        assert answer_headers["content-length"] == str(len(payload))
    return response.status, answer_headers, json.loads(payload) if payload else None


def test_requests_share_one_kept_alive_connection(fake):
    connection = connect(fake)
    status, headers, profile = exchange(connection, "GET", "/v2/bot/profile/" + ALICE)
    assert (status, profile["displayName"]) == (200, "山田 花子")
    assert "connection" not in headers
    opened = connection.sock
    status, _, _ = exchange(connection, "POST", "/v2/bot/message/push", push_body(text("同じ接続で")))
    assert status == 200
    assert connection.sock is opened, "http.client opens a new socket only when the server closed the last"
    assert fake.stats()["connections"] == 1
    connection.close()


def test_error_answers_keep_the_connection_usable(fake):
    connection = connect(fake)
    fake.inject_fault("/v2/bot/message/quota", status=500)
    answers = [
        exchange(connection, "GET", "/v2/bot/message/quota")[0],  # injected 500
        exchange(connection, "GET", "/v2/bot/profile/" + ALICE, token=None)[0],
        exchange(connection, "GET", "/v2/bot/nothing")[0],
        exchange(connection, "DELETE", "/v2/bot/message/quota")[0],
        exchange(connection, "POST", "/v2/bot/message/push", raw=b"{not json",
                 headers={"Content-Type": "application/json"})[0],
        exchange(connection, "POST", "/v2/bot/message/push", raw=b"x" * (2 * 1024 * 1024 + 1))[0],
        exchange(connection, "POST", "/_fake/users", {"displayName": "名前だけ"}, token=None)[0],
        exchange(connection, "GET", "/_fake/nothing", token=None)[0],
        exchange(connection, "HEAD", "/v2/bot/profile/" + ALICE)[0],  # a length, and no body to skip
        exchange(connection, "GET", "/v2/bot/profile/" + ALICE)[0],
    ]
    assert answers == [500, 401, 404, 405, 400, 413, 400, 404, 200, 200]
    assert fake.stats()["connections"] == 1


def test_a_chunked_body_is_read_whole(fake):
    connection = connect(fake)
    body = json.dumps(push_body(text("分けて送ります"))).encode("utf-8")
    connection.request("POST", "/v2/bot/message/push", body=iter([body[:10], body[10:]]), encode_chunked=True,
                       headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 200, response.read()
    response.read()
    assert exchange(connection, "GET", "/v2/bot/message/quota")[0] == 200
    assert fake.messages_to(ALICE) == [text("分けて送ります")]


def test_connection_close_and_http_1_0_are_answered_and_closed(fake):
    address = urllib.parse.urlsplit(fake.url)
    for request in (b"GET /v2/bot/message/quota HTTP/1.0\r\nAuthorization: Bearer test-token\r\n\r\n",
                    b"GET /v2/bot/message/quota HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    b"Authorization: Bearer test-token\r\n\r\n"):
        with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
            raw.sendall(request)
            received = b""
            while chunk := raw.recv(65536):  # ends only when the fake closes the connection
                received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ") and b"Connection: close" in head
        assert json.loads(body) == {"type": "none"}


def test_stop_ends_idle_kept_alive_connections_and_releases_the_port():
    platform = FakeLinePlatform(channel_access_token=TOKEN, login_channel_id=LOGIN_CHANNEL)
    platform.start()
    address = urllib.parse.urlsplit(platform.url)
    connections = [connect(platform) for _ in range(3)]
    for connection in connections:
        assert exchange(connection, "GET", "/v2/bot/message/quota")[0] == 200

    stopping = threading.Thread(target=platform.stop)
    stopping.start()
    stopping.join(timeout=10)
    assert not stopping.is_alive(), "stop() hung on idle kept-alive connections"

    for connection in connections:
        assert connection.sock is not None and connection.sock.recv(1) == b"", "the fake ended the connection"
        connection.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address.hostname, address.port), timeout=10)


def test_the_sdk_client_reuses_a_connection_per_thread(fake):
    client = SdkLineClient(TOKEN, fake.url)
    tokens = [fake.issue_reply_token(ALICE) for _ in range(40)]

    def work(i: int) -> None:
        assert client.get_profile(BOB).display_name == "佐藤 太郎"
        client.reply(tokens[i], [{"type": "text", "text": f"#{i}"}])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(40)))
    client.close()
    assert len(fake.messages_to(ALICE)) == 40
    assert fake.stats()["connections"] <= 8


def test_the_wsgi_app_answers_as_the_server_does(fake):
    from werkzeug.test import Client

    client = Client(fake.wsgi_app)
    response = client.get("/v2/bot/profile/" + ALICE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.json["displayName"] == "山田 花子"
    assert uuid.UUID(response.headers["x-line-request-id"])
    assert response.headers["Content-Length"] == str(len(response.data))
    head = client.head("/v2/bot/profile/" + ALICE, headers={"Authorization": f"Bearer {TOKEN}"})
    assert head.status_code == 200 and head.data == b""
    refused = client.post("/v2/bot/message/push", json=push_body(text("x")))
    assert (refused.status_code, refused.json["message"]) == (401, MISSING_TOKEN_MESSAGE)
    assert [r.path for r in fake.requests] == ["/v2/bot/profile/" + ALICE] * 2 + ["/v2/bot/message/push"]


# --- the OpenAPI check itself ---------------------------------------------------------------------------


def test_openapi_check_fails_for_requests_that_break_the_spec(fake):
    call(fake, "POST", "/v2/bot/message/push", {"messages": [text("to is missing")]})
    with pytest.raises(AssertionError, match="'to' is a required property"):
        assert_conforms_to_openapi(fake.requests)

    fake.reset()
    call(fake, "POST", "/v2/bot/message/push", push_body({"type": "txt", "text": "x"}))
    with pytest.raises(AssertionError, match=r"messages\[0\]\.type: 'txt' is not one of"):
        assert_conforms_to_openapi(fake.requests)

    fake.reset()
    call(fake, "POST", "/v2/bot/message/push", push_body(_quick(_qr_item(data="d" * 301))))
    with pytest.raises(AssertionError, match="is too long"):
        assert_conforms_to_openapi(fake.requests)

    fake.reset()
    call(fake, "POST", "/v2/bot/message/push", push_body(text("x")), headers={"X-Line-Retry-Key": "nope"})
    with pytest.raises(AssertionError, match="X-Line-Retry-Key"):
        assert_conforms_to_openapi(fake.requests)


def test_openapi_check_skips_login_and_control_requests_and_reads_control_dumps(fake):
    call(fake, "GET", "/oauth2/v2.1/verify?access_token=x", token=None)
    call(fake, "POST", "/v2/bot/message/push", push_body(text("ok")))
    assert_conforms_to_openapi(fake.requests)
    _, _, dumped = call(fake, "GET", "/_fake/requests", token=None)
    assert_conforms_to_openapi(dumped)
