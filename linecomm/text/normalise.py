"""Normalise Japanese text before matching: NFKC, width, case, katakana folded to hiragana."""
from __future__ import annotations

import re
import unicodedata

_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F6
_SPACES = re.compile(r"[\s\u3000]+")
_DECORATION = re.compile(r"[\s\u3000!！?？。、,.・~〜\-_/「」『』()（）【】\[\]…♪☆★]+")


def fold_kana(text: str) -> str:
    """Katakana to hiragana (ア→あ, ヴ→ゔ); other characters unchanged."""
    return "".join(
        chr(ord(ch) - 0x60) if _KATAKANA_START <= ord(ch) <= _KATAKANA_END else ch for ch in text
    )


def normalise(text: str) -> str:
    """NFKC (full/half width), lower case, kana folded, runs of spaces collapsed, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", fold_kana(text.casefold())).strip()


def keyword_key(text: str) -> str:
    """The form chat keywords are matched in: normalised, without spaces or punctuation.

    「ヘルプ」「へるぷ」「ﾍﾙﾌﾟ」「ヘルプ！」「ヘ ル プ」 all give 「へるぷ」. The long-vowel mark ー stays:
    it is part of words such as ポイント."""
    return _DECORATION.sub("", normalise(text))


def nickname_key(nickname: str) -> str:
    """Two nicknames that look the same to a reader get the same key (uniqueness is checked on it)."""
    return _SPACES.sub("", normalise(nickname))
