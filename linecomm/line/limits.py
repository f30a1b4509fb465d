"""LINE's limits on outgoing messages, checked before anything is sent."""
from __future__ import annotations

from typing import Any

MAX_MESSAGES = 5
MAX_TEXT_UNITS = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_QUICK_REPLY_LABEL = 20
MAX_POSTBACK_DATA = 300
MAX_ALT_TEXT = 1500
MAX_URL_LENGTH = 2000
MAX_MULTICAST_RECIPIENTS = 500


class MessageTooLarge(ValueError):
    """A message LINE would refuse with 400."""


def utf16_units(text: str) -> int:
    """Length as LINE counts it: UTF-16 code units (an emoji outside the BMP counts as 2)."""
    return len(text.encode("utf-16-le")) // 2


def truncate_utf16(text: str, units: int, ellipsis: str = "…") -> str:
    if utf16_units(text) <= units:
        return text
    out = []
    budget = units - utf16_units(ellipsis)
    for ch in text:
        n = utf16_units(ch)
        if budget - n < 0:
            break
        out.append(ch)
        budget -= n
    return "".join(out) + ellipsis


def _check_url(url: Any, what: str) -> None:
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > MAX_URL_LENGTH:
        raise MessageTooLarge(f"{what} must be an HTTPS URL of at most {MAX_URL_LENGTH} characters")


def _check_action(action: dict[str, Any]) -> None:
    label = action.get("label")
    if label is not None and len(label) > MAX_QUICK_REPLY_LABEL:
        raise MessageTooLarge(f"action label over {MAX_QUICK_REPLY_LABEL} characters: {label!r}")
    if action.get("type") == "postback" and len(action.get("data", "")) > MAX_POSTBACK_DATA:
        raise MessageTooLarge(f"postback data over {MAX_POSTBACK_DATA} characters")


def check_messages(messages: list[dict[str, Any]]) -> None:
    """Raise MessageTooLarge for anything LINE's Messaging API would refuse."""
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise MessageTooLarge(f"a request carries 1 to {MAX_MESSAGES} messages, not {len(messages)}")
    for message in messages:
        kind = message.get("type")
        if kind == "text":
            text = message.get("text", "")
            if not text or utf16_units(text) > MAX_TEXT_UNITS:
                raise MessageTooLarge(f"text must be 1 to {MAX_TEXT_UNITS} UTF-16 units")
        elif kind == "image":
            _check_url(message.get("originalContentUrl"), "originalContentUrl")
            _check_url(message.get("previewImageUrl"), "previewImageUrl")
        elif kind in ("flex", "template"):
            if not 1 <= len(message.get("altText", "")) <= MAX_ALT_TEXT:
                raise MessageTooLarge(f"altText must be 1 to {MAX_ALT_TEXT} characters")
        items = (message.get("quickReply") or {}).get("items", [])
        if len(items) > MAX_QUICK_REPLY_ITEMS:
            raise MessageTooLarge(f"at most {MAX_QUICK_REPLY_ITEMS} quick reply items")
        for item in items:
            _check_action(item.get("action", {}))
