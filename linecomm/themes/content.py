"""A theme post as LINE messages: the push's image and text, with reaction or poll buttons as quick replies
on the last bubble.

Button taps come back as postbacks `action=react&post=<id>&r=<key>` or `action=vote&post=<id>&o=<key>`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from linecomm.line.client import Message
from linecomm.line.limits import MAX_QUICK_REPLY_ITEMS, MAX_QUICK_REPLY_LABEL, utf16_units
from linecomm.pushes.content import ContentError, check_message
from linecomm.pushes.content import build_messages as push_messages
from linecomm.themes.models import ThemePost

REACTIONS = "reactions"
POLL = "poll"
CHOICE_KINDS = (REACTIONS, POLL)
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


def parse_choices(text: str) -> list[Choice]:
    """"like:👍 いいね, soso:🤔 ふつう" as choices; a bare label gets the key 1, 2, 3..."""
    choices = []
    for i, part in enumerate(p.strip() for p in text.split(",") if p.strip()):
        key, sep, label = part.partition(":")
        choices.append(Choice(key.strip(), label.strip()) if sep else Choice(str(i + 1), part))
    return choices


def choices_to_json(choices: list[Choice]) -> str:
    return json.dumps([{"key": c.key, "label": c.label} for c in choices], ensure_ascii=False)


def choices_from_json(text: str | None) -> list[Choice]:
    return [Choice(c["key"], c["label"]) for c in json.loads(text or "[]")]


def check_content(text: str, image_url: str | None, kind: str | None, choices: list[Choice]) -> None:
    """Raise ContentError for text, image or buttons LINE would refuse (limits counted as LINE does)."""
    check_message(text, image_url)
    if kind is None:
        if choices:
            raise ContentError("ボタンの種類（リアクションまたは投票）を選んでください。")
        return
    if kind not in CHOICE_KINDS:
        raise ContentError("ボタンの種類はリアクション（reactions）か投票（poll）です。")
    if not 1 <= len(choices) <= MAX_QUICK_REPLY_ITEMS:
        raise ContentError(f"ボタンは1〜{MAX_QUICK_REPLY_ITEMS}個まで設定できます。")
    keys = [c.key for c in choices]
    if len(set(keys)) != len(keys):
        raise ContentError("ボタンのキーが重複しています。")
    for choice in choices:
        if not _KEY.match(choice.key):
            raise ContentError(f"ボタンのキー「{choice.key}」は半角英数字・_・- の20文字以内にしてください。")
        if not choice.label or utf16_units(choice.label) > MAX_QUICK_REPLY_LABEL:
            raise ContentError(f"ボタンの表示名「{choice.label}」は1〜{MAX_QUICK_REPLY_LABEL}文字にしてください。")


def postback_data(kind: str, post_id: int, key: str) -> str:
    if kind == POLL:
        return f"action=vote&post={post_id}&o={key}"
    return f"action=react&post={post_id}&r={key}"


def build_messages(post_id: int, text: str, image_url: str | None, kind: str | None,
                   choices: list[Choice]) -> list[Message]:
    """The LINE message objects for a post, checked against LINE's limits."""
    buttons: list[dict[str, Any]] = []
    if kind and choices:
        buttons = [
            {"type": "action", "action": {
                "type": "postback", "label": c.label, "data": postback_data(kind, post_id, c.key),
                "displayText": c.label,
            }}
            for c in choices
        ]
    return push_messages(text, image_url, buttons)


def post_messages(post: ThemePost) -> list[dict[str, object]]:
    """What a delivery of the post sends, as it stands now (frozen on the delivery when it opens)."""
    return build_messages(post.id, post.text, post.image_url, post.choice_kind, choices_from_json(post.choices))
