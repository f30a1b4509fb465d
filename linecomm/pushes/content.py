"""A push as LINE messages: an optional image, then the text, with quick replies (if the owner of the
message offers any) on the last bubble (LINE shows only the last message's quick replies). What the buttons
mean belongs to the feature that sends them (a theme post's reactions and polls: linecomm.themes.content).
"""
from __future__ import annotations

from typing import Any

from linecomm.line.client import Message
from linecomm.line.limits import MAX_TEXT_UNITS, MAX_URL_LENGTH, MessageTooLarge, check_messages, utf16_units
from linecomm.pushes.errors import PushError


class ContentError(PushError):
    """Content LINE would refuse or a member could not use; the message is Japanese."""


def check_message(text: str, image_url: str | None) -> None:
    """Raise ContentError for text or an image LINE would refuse (limits counted as LINE does)."""
    if not text.strip():
        raise ContentError("本文を入力してください。")
    if utf16_units(text) > MAX_TEXT_UNITS:
        raise ContentError(f"本文が長すぎます（LINEの上限は{MAX_TEXT_UNITS}文字です。絵文字は2文字と数えます）。")
    if image_url is not None and (not image_url.startswith("https://") or len(image_url) > MAX_URL_LENGTH):
        raise ContentError("画像は https:// で始まるURL（2,000文字以内）で指定してください。")


def build_messages(text: str, image_url: str | None,
                   quick_replies: list[dict[str, Any]] | None = None) -> list[Message]:
    """The LINE message objects (quick reply items on the text bubble), checked against LINE's limits."""
    messages: list[dict[str, Any]] = []
    if image_url:
        messages.append({"type": "image", "originalContentUrl": image_url, "previewImageUrl": image_url})
    bubble: dict[str, Any] = {"type": "text", "text": text}
    if quick_replies:
        bubble["quickReply"] = {"items": quick_replies}
    messages.append(bubble)
    try:
        check_messages(messages)
    except MessageTooLarge as exc:  # check_message should have caught it; say so plainly
        raise ContentError(f"LINEの制限を超えるメッセージです: {exc}") from exc
    return messages
