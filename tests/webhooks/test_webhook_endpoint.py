"""POST /webhooks/line: only correctly signed, well-formed bodies are stored; nothing else is."""

from __future__ import annotations

import copy
import http.client
import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from linebot.v3.webhooks import Event
from sqlalchemy import create_engine, event, func, select, text

from linecomm import db
from linecomm.line import event_check
from linecomm.line.simulator import body_of, follow_event, post_webhook, text_event
from linecomm.webhooks import ingest
from linecomm.webhooks.ingest import signature_of
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.support.community import Community
from tests.webhooks.line_samples import ID_SHAPES, lines_sample_events


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


def _post_chunked(community: Community, body: bytes) -> tuple[int, dict]:
    """POST a signed body with Transfer-Encoding: chunked (no Content-Length), as a streaming client does.
    The body is sent from another thread, so an answer given before the whole body is read still arrives."""
    url = urlsplit(community.webhook_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("POST", url.path)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("X-Line-Signature", signature_of(body, "test-channel-secret"))
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()

    def send() -> None:
        try:
            for start in range(0, len(body), 64 * 1024):
                chunk = body[start:start + 64 * 1024]
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
        except OSError:  # the server answered and closed before reading it all
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        sender.join(timeout=30)
        conn.close()


def _body_of_exactly(size: int) -> bytes:
    event = text_event("U" + "a" * 32, "")
    padding = size - len(body_of([event]))
    event["message"]["text"] = "a" * padding
    body = body_of([event])
    assert len(body) == size
    return body


def test_a_chunked_body_over_one_megabyte_gets_413_before_its_signature_is_judged(community: Community) -> None:
    limit = community.settings.max_webhook_body_bytes
    assert _post_chunked(community, _body_of_exactly(limit + 1)) == (413, {"error": "request body is too large"})
    big = body_of([text_event("U" + "a" * 32, "あ" * 400_000)])
    assert _post_chunked(community, big)[0] == 413
    assert _stored(community) == 0
    assert _post_chunked(community, _body_of_exactly(limit)) == (200, {"status": "ok"})  # the limit itself is fine
    assert _stored(community) == 1


def _with(event: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(event)
    parent = event
    for key in path[:-1]:
        parent = parent.setdefault(key, {})
    parent[path[-1]] = value
    return event


_USER = "U" + "a" * 32


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(_with(follow_event(_USER), ("source", "userId"), "U" + "a" * 4999), id="userId-5000-chars"),
        pytest.param(_with(follow_event(_USER), ("source", "userId"), "U" + "A" * 32), id="userId-upper-hex"),
        pytest.param(_with(follow_event(_USER), ("source", "userId"), "C" + "a" * 32), id="userId-a-group-id"),
        pytest.param(_with(follow_event(_USER), ("source", "userId"), "U" + "a" * 31), id="userId-short"),
        pytest.param(_with(_with(follow_event(_USER), ("source", "type"), "group"), ("source", "groupId"),
                           "C" + "0" * 70), id="groupId-too-long"),
        pytest.param(_with(_with(follow_event(_USER), ("source", "type"), "room"), ("source", "roomId"),
                           "R" + "g" * 32), id="roomId-not-hex"),
        pytest.param(_with(text_event(_USER, "やあ"), ("replyToken",), "r" * 256), id="replyToken-256-chars"),
        pytest.param(_with(text_event(_USER, "やあ"), ("message", "id"), "1" * 33), id="message-id-33-digits"),
        pytest.param(_with(text_event(_USER, "やあ"), ("message", "id"), "../../v2/bot/x"), id="message-id-path"),
        # unknown event types are stored too: their source ids must fit as well
        pytest.param(_with(_with(follow_event(_USER), ("type",), "somethingNew"), ("source", "userId"), "U" * 65),
                     id="unknown-type-userId-65-chars"),
    ],
)
def test_an_id_not_in_lines_shape_gets_400_and_nothing_of_the_body_is_stored(community: Community,
                                                                             event: dict[str, Any]) -> None:
    good = follow_event("U" + "b" * 32)
    for events in ([event], [good, event]):  # one malformed event refuses the whole body
        delivery = community.post_events(events)
        assert delivery.status == 400, delivery.body
        assert "events[" in json.loads(delivery.body)["error"]
    assert _stored(community) == 0
    assert community.post_events([good]).status == 200  # the same good event alone is stored


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
        # a message type the SDK does not know, and a source type it does not know
        b'{"events": [{"type": "message", "webhookEventId": "01H", "mode": "active", "timestamp": 1,'
        b' "deliveryContext": {"isRedelivery": false}, "message": {"type": "hologram", "id": "1"}}]}',
        b'{"events": [{"type": "unfollow", "webhookEventId": "01P", "mode": "active", "timestamp": 1,'
        b' "deliveryContext": {"isRedelivery": false}, "source": {"type": "planet", "userId": "U1"}}]}',
        b'{"events": [{"type": "unfollow", "webhookEventId": "01M", "mode": "sleepy", "timestamp": 1,'
        b' "deliveryContext": {"isRedelivery": false}}]}',
        # Python's json reads these; they are not JSON, and a NaN timestamp cannot be stored
        b'{"events": [{"type": "somethingNew", "webhookEventId": "01N", "timestamp": NaN}]}',
        b'{"events": [{"type": "somethingNew", "webhookEventId": "01I", "timestamp": 1, "x": -Infinity}]}',
        b'{"events": [{"type": "somethingNew", "webhookEventId": "01T", "timestamp": 100000000000000000000}]}',
        # text columns cannot hold NUL; UTF-8 cannot encode a lone surrogate, escaped or raw
        b'{"events": [{"type": "somethingNew", "webhookEventId": "01\\u0000"}]}',
        b'{"events": [{"type": "somethingNew", "webhookEventId": "01L", "note": "\\ud800"}]}',
        b'{"events": [{"type": "somethingNew", "webhookEventId": "01R", "note": "\xed\xa0\x80"}]}',
        pytest.param(b'{"events": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", id="nested-100000-deep"),
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


def test_escaped_characters_that_can_be_stored_are_accepted(community: Community) -> None:
    said = "絵文字 😀 と NUL \x00 も"
    body = json.dumps({"destination": "U1", "events": [text_event("U" + "d" * 32, said)]}).encode()
    assert b"\\ud83d\\ude00" in body and b"\\u0000" in body  # json.dumps escapes both
    assert post_webhook(community.webhook_url, "test-channel-secret", body).status == 200
    with community.session() as s:
        payload = s.scalar(select(WebhookEvent.payload))
    assert json.loads(payload)["message"]["text"] == said


def _sdk_accepts(event: dict[str, Any]) -> bool:
    try:
        Event.from_dict(event)
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    return True


def _parse_accepts(event: dict[str, Any]) -> bool:
    try:
        ingest.parse_body(json.dumps({"destination": "U1", "events": [event]}).encode())
    except ingest.InvalidBody:
        return False
    return True


def _variants(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The event with one value, anywhere inside it, removed or replaced by a value of another type or
    shape (the top-level id, type and timestamp aside: linecomm checks those itself)."""
    replacements = [None, "", "x", "user", "text", 0, 1, -1, 1.5, True, [], {}, [1], ["a"], [{}], {"a": 1},
                    {"type": "user"}, "a" * 101, 2**70, "bot", "ok", "line", "STATIC", "standby"]

    def walk(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        keys = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in keys:
            yield (*path, key)
            yield from walk(item, (*path, key))

    for path in walk(event, ()):
        if path in (("webhookEventId",), ("type",), ("timestamp",)):
            continue
        for replacement in [...] + replacements:  # Ellipsis: delete the value
            variant = copy.deepcopy(event)
            parent = variant
            for key in path[:-1]:
                parent = parent[key]
            if replacement is ...:
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement
            yield variant


def _ids_in_lines_shape(event: dict[str, Any]) -> bool:
    """linecomm's own rule on top of the SDK's: the ids it stores have LINE's shape and fit their columns."""
    def fits(value: Any, shape: re.Pattern[str]) -> bool:
        return value is None or (isinstance(value, str) and shape.fullmatch(value) is not None)

    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    token = event.get("replyToken")
    return (all(fits(source.get(key), shape) for key, shape in ID_SHAPES.items())
            and fits(message.get("id"), re.compile(r"[0-9]{1,32}"))
            and (token is None or (isinstance(token, str) and len(token) <= 255)))


def test_signed_bodies_get_400_exactly_when_the_sdks_models_refuse_an_event() -> None:
    """parse_body decides most events with a compiled copy of line-bot-sdk's checks; whatever that copy
    does not vouch for, Event.from_dict decides. The verdict must be the SDK's (plus linecomm's check of the
    ids it stores) for every event of LINE's sample body and thousands of broken variants of them."""
    events = [e for e in lines_sample_events() if e["type"] != "undefined"]
    checked = 0
    for sample in events:
        assert event_check.passes_compiled_check(sample), sample  # else every delivery of it pays the slow check
        assert _ids_in_lines_shape(sample), sample
        for variant in _variants(sample):
            assert _parse_accepts(variant) == (_sdk_accepts(variant) and _ids_in_lines_shape(variant)), variant
            checked += 1
    assert checked > 5000


def _drop_connections(database_url: str) -> None:
    """What a PostgreSQL restart does to the app's pooled connections: every backend serving the database
    is terminated (the server tells each client, then closes its socket)."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")  # pg_stat_activity: fresh each query
    try:
        with engine.connect() as conn:
            pids = conn.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )).all()
            assert pids, "the app holds no connection"
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                         {"pids": list(pids)})
            deadline = time.monotonic() + 10
            alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(CAST(:pids AS int[]))")
            while conn.scalar(alive, {"pids": list(pids)}):
                assert time.monotonic() < deadline, "terminated backends did not exit"
                time.sleep(0.05)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["postgres"])
def test_deliveries_after_postgresql_dropped_the_connections_are_stored(community: Community) -> None:
    assert community.post_events([follow_event("U" + "e" * 32)]).status == 200
    _drop_connections(community.settings.database_url)
    assert community.post_events([follow_event("U" + "f" * 32)]).status == 200
    assert _stored(community) == 2


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_connection_lost_without_notice_costs_a_retry_not_a_500(community: Community) -> None:
    # Without the checkout check a dead connection is only found by the INSERT: the webhook retries once.
    event.remove(community.runtime.engine, "checkout", db._refuse_closed_connection)
    assert community.post_events([follow_event("U" + "e" * 32)]).status == 200
    _drop_connections(community.settings.database_url)
    assert community.post_events([follow_event("U" + "f" * 32)]).status == 200
    assert _stored(community) == 2


def test_health_endpoints(community: Community) -> None:
    with urllib.request.urlopen(community.base_url + "/healthz") as r:
        assert r.status == 200
    with urllib.request.urlopen(community.base_url + "/readyz") as r:
        ready = json.loads(r.read())
    assert ready == {"status": "ready", "checks": {"database": True, "queue": True}}
