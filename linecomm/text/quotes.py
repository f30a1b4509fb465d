"""Quoting a member's or a marketer's words in Japanese copy."""
from __future__ import annotations


def quoted(text: str) -> str:
    """`text` in 「」, unless it already is: a title written as 「今月のおすすめは?」 must not read
    「「今月のおすすめは?」」."""
    return text if len(text) >= 2 and text.startswith("「") and text.endswith("」") else f"「{text}」"
