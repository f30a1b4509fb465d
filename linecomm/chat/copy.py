"""What the router itself says: to a button no feature handles (unknown, malformed, or left over from an
older version of a message). Polite (丁寧語) and short; kept here so it can be reviewed apart from the routing."""
from __future__ import annotations

from typing import Any

Message = dict[str, Any]


def button_unavailable() -> list[Message]:
    return [{"type": "text", "text": "申し訳ありません。このボタンは現在ご利用いただけません。"}]
