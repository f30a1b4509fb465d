"""POST /webhooks/line: only correctly signed, well-formed bodies are stored; nothing else is."""

from __future__ import annotations

import json
import urllib.request

import pytest
from sqlalchemy import func, select

from linecomm.line.simulator import body_of, follow_event, post_webhook, text_event
from linecomm.webhooks.ingest import signature_of
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.support.community import Community


def _stored(community: Community) -> int:
    with community.session() as s:
        return s.scalar(select(func.count()).select_from(WebhookEvent)) or 0


def _post_raw(community: Community, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(community.webhook_url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_correctly_signed_event_is_stored_and_acknowledged(community: Community) -> None:
    delivery = community.post_events([follow_event("U" + "a" * 32)])
    assert delivery.status == 200
    assert _stored(community) == 1


def test_missing_signature_is_refused_and_nothing_is_stored(community: Community) -> None:
    status, body = _post_raw(community, body_of([follow_event("U" + "a" * 32)]), {"Content-Type": "application/json"})
    assert status == 400
    assert "X-Line-Signature" in body["error"]
    assert _stored(community) == 0


@pytest.mark.parametrize("signature", ["", "not-base64!!", signature_of(b"another body", "test-channel-secret")])
def test_wrong_signature_is_refused_and_nothing_is_stored(community: Community, signature: str) -> None:
    headers = {"Content-Type": "application/json", "X-Line-Signature": signature or " "}
    status, body = _post_raw(community, body_of([follow_event("U" + "a" * 32)]), headers)
    assert status in (400, 401)
    assert body["error"]
    assert _stored(community) == 0


def test_a_body_signed_with_another_channel_secret_is_refused(community: Community) -> None:
    delivery = community.post_events([follow_event("U" + "a" * 32)], secret="someone-elses-secret")
    assert delivery.status == 401
    assert _stored(community) == 0


def test_lines_url_verification_with_no_events_gets_200(community: Community) -> None:
    delivery = post_webhook(community.webhook_url, "test-channel-secret", b'{"destination":"U1","events":[]}')
    assert delivery.status == 200
    assert _stored(community) == 0


def test_a_body_over_one_megabyte_gets_413(community: Community) -> None:
    body = body_of([text_event("U" + "a" * 32, "あ" * 400_000)])
    assert len(body) > 1024 * 1024
    delivery = post_webhook(community.webhook_url, "test-channel-secret", body)
    assert delivery.status == 413
    assert _stored(community) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"events": "nope"}',
        b'{"events": [42]}',
        b'{"events": [{"type": "follow", "timestamp": 1}]}',
        b'{"events": [{"type": "follow", "webhookEventId": "01X", "timestamp": "yesterday"}]}',
        b'{"events": [{"type": "message", "webhookEventId": "01Y", "mode": "active", "timestamp": 1,'
        b' "source": {"type": "user", "userId": "U1"}, "replyToken": "r", "message": {"type": "text"}}]}',
    ],
)
def test_signed_but_malformed_bodies_get_400_not_500(community: Community, body: bytes) -> None:
    delivery = post_webhook(community.webhook_url, "test-channel-secret", body)
    assert delivery.status == 400, delivery.body
    assert "error" in json.loads(delivery.body)
    assert _stored(community) == 0


def test_unknown_event_types_and_standby_events_are_stored_and_ignored(community: Community) -> None:
    unknown = follow_event("U" + "b" * 32)
    unknown["type"] = "somethingNew"
    standby = text_event("U" + "c" * 32, "こんにちは")
    standby["mode"] = "standby"
    assert community.post_events([unknown, standby]).status == 200
    community.drain()
    with community.session() as s:
        statuses = s.scalars(select(WebhookEvent.status)).all()
    assert statuses == [InboxStatus.IGNORED, InboxStatus.IGNORED]
    assert community.fake.messages_to("U" + "c" * 32) == []


def test_health_endpoints(community: Community) -> None:
    with urllib.request.urlopen(community.base_url + "/healthz") as r:
        assert r.status == 200
    with urllib.request.urlopen(community.base_url + "/readyz") as r:
        ready = json.loads(r.read())
    assert ready == {"status": "ready", "checks": {"database": True, "queue": True}}
