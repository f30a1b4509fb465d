"""What the delivery engine relies on from the LINE layer: the multicast body is exactly the SDK's own,
and the fake platform's load-test mode (open audience, lean counters) counts every delivery."""
from __future__ import annotations

import json
import urllib.request

from linebot.v3.messaging import ApiClient, Configuration, MulticastRequest

from linecomm.line.fake import FakeLinePlatform
from linecomm.line.sdk_client import SdkLineClient, _MulticastBody
from linecomm.themes.content import Choice, build_messages


def test_the_fast_multicast_body_is_the_sdks_own_json() -> None:
    messages = build_messages(7, "テーマです", "https://cdn.example.com/a.jpg", "poll",
                              [Choice("a", "A案"), Choice("b", "B案")])
    to = ["U" + f"{i:032x}" for i in range(500)]
    client = ApiClient(Configuration(host="http://127.0.0.1", access_token="t"))
    ours = client.sanitize_for_serialization(_MulticastBody.construct(
        to=to, messages=[m for m in MulticastRequest.from_dict({"to": to[:1], "messages": messages}).messages]))
    sdks = client.sanitize_for_serialization(MulticastRequest.from_dict({"to": to, "messages": messages}))
    assert ours == sdks


def test_the_fake_in_load_test_mode_counts_deliveries_without_keeping_them() -> None:
    fake = FakeLinePlatform(channel_access_token="t", open_audience=True, lean=True)
    url = fake.start()
    try:
        line = SdkLineClient("t", url)
        users = ["U" + f"{i:032x}" for i in range(3)]
        line.multicast(users, [{"type": "text", "text": "x"}], "7f1c7f2e-1d6f-4a51-9a47-8f3a9a3d2b10")
        line.multicast(users[:1], [{"type": "text", "text": "x"}], "0b6f0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d")
        stats = json.loads(urllib.request.urlopen(url + "/_fake/stats").read())
        line.close()
    finally:
        fake.stop()
    assert stats["requests"]["POST /v2/bot/message/multicast"] == {"200": 2}
    assert stats["recipients"] == {"deliveries": 4, "distinct": 3}  # one of them got two posts
    assert fake.requests == [] and fake.messages_to(users[0]) == []
