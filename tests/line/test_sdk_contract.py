"""What linecomm relies on inside line-bot-sdk v3, beyond its documented calls. Each use of the SDK's
internals lives in `linecomm/line/` (sdk_client.py, event_check.py); each is checked here by name, so an SDK
upgrade that moves one fails with the call it broke, not somewhere deep in a send or a webhook."""
from __future__ import annotations

import inspect
import json
from importlib.metadata import version

import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MulticastRequest, TextMessage
from linebot.v3.messaging import Message as SdkMessage
from linebot.v3.webhooks import Event

from linecomm.line import event_check, sdk_client

HANDLED_EVENT_TYPES = {"follow", "unfollow", "message", "postback", "join", "leave", "memberJoined", "memberLeft"}


def _requirement() -> str:
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    return next(r for r in pyproject["project"]["dependencies"] if r.startswith("line-bot-sdk"))


def test_the_installed_sdk_is_in_the_pinned_minor_range() -> None:
    from packaging.requirements import Requirement

    requirement = Requirement(_requirement())
    assert requirement.specifier.contains(version("line-bot-sdk")), (
        f"line-bot-sdk {version('line-bot-sdk')} is outside {requirement}: run tests/line/test_sdk_contract.py "
        "against it, then move the pin")
    assert "<" in str(requirement.specifier), "pin the SDK to the tested minor range"


@pytest.mark.parametrize(("name", "argument"), [("reply_message_with_http_info", "reply_message_request"),
                                              ("push_message_with_http_info", "push_message_request"),
                                              ("get_profile_with_http_info", "user_id")])
def test_the_hot_api_methods_expose_their_undecorated_function(name: str, argument: str) -> None:
    method = getattr(MessagingApi, name, None)
    assert method is not None, f"line-bot-sdk: MessagingApi.{name} is gone"
    raw = getattr(method, "raw_function", None)
    assert callable(raw), f"line-bot-sdk: MessagingApi.{name}.raw_function is gone (pydantic validate_arguments)"
    assert list(inspect.signature(raw).parameters)[:2] == ["self", argument], (
        f"line-bot-sdk: MessagingApi.{name}.raw_function takes other arguments now")


def test_a_multicast_body_built_without_validation_is_the_json_the_sdk_would_send() -> None:
    messages = [{"type": "text", "text": "こんにちは"}]
    to = ["U" + "0" * 32, "U" + "1" * 32]
    assert hasattr(MulticastRequest, "construct"), "line-bot-sdk: MulticastRequest.construct is gone"
    ours = sdk_client._MulticastBody.construct(to=to, messages=[SdkMessage.from_dict(m) for m in messages])
    theirs = MulticastRequest(to=to, messages=[TextMessage(text="こんにちは")])
    assert ours.to_dict() == theirs.to_dict(), "line-bot-sdk: MulticastRequest.to_dict() changed shape"


def test_the_api_client_serialises_through_the_hook_we_override() -> None:
    assert "sanitize_for_serialization" in ApiClient.__dict__, (
        "line-bot-sdk: ApiClient.sanitize_for_serialization is gone (sdk_client._ApiClient overrides it)")
    body = sdk_client._CheckedBody({"replyToken": "t", "messages": [{"type": "text", "text": "x"}]})
    client = sdk_client._ApiClient(Configuration(access_token="token"))
    try:
        assert client.sanitize_for_serialization(body) == body.to_dict()
    finally:
        client.close()


def test_message_models_read_lines_json() -> None:
    message = SdkMessage.from_dict({"type": "text", "text": "テスト", "quickReply": {"items": []}})
    assert message.to_dict()["text"] == "テスト", "line-bot-sdk: Message.from_dict no longer dispatches by type"


def test_the_event_models_dispatch_by_type_as_the_compiled_check_expects() -> None:
    mapping = getattr(Event, "_Event__discriminator_value_class_map", None)
    assert mapping, "line-bot-sdk: Event's discriminator map (_Event__discriminator_value_class_map) is gone"
    missing = HANDLED_EVENT_TYPES - set(mapping)
    assert not missing, f"line-bot-sdk: Event no longer knows {sorted(missing)}"
    slow = HANDLED_EVENT_TYPES - event_check._COMPILED_TYPES
    assert not slow, f"these events would take the slow Event.from_dict path: {sorted(slow)} (event_check)"


def test_the_compiled_check_agrees_with_the_sdk_on_lines_sample_events() -> None:
    from tests.webhooks.line_samples import lines_sample_events

    for event in lines_sample_events():
        if event["type"] == "undefined":
            continue
        assert event_check.passes_compiled_check(event), json.dumps(event)[:200]
        Event.from_dict(event)  # the SDK agrees
