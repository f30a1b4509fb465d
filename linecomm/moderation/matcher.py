"""Japanese-aware NG-word matching.

Text and terms are compared in a folded form: NFKC (full/half width, ｶﾀｶﾅ → カタカナ), case folded,
katakana folded to hiragana, and everything that is not a letter or a digit dropped, so characters
slipped between the letters of a word do not hide it (「バ カ」「ば.か」「ﾊﾞｶ」「バ★カ」 all match 「バカ」).
The long-vowel mark ー counts as a letter: 「バーカ」 is its own entry.

Terms written only in ASCII letters and digits must stand as a word in the original text, so that
"ass" does not match "class" while "f u c k" and "f.u.c.k" still match "fuck".
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from linecomm.text.normalise import fold_kana

ACTION_ORDER = {"flag": 1, "hold": 2, "block": 3}


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in ("L", "N")


def _fold(text: str) -> str:
    """NFKC, case and kana folding, character by character positions preserved where possible."""
    return fold_kana(unicodedata.normalize("NFKC", text).casefold())


def term_key(term: str) -> str:
    """The form an NG word is stored and matched in."""
    return "".join(ch for ch in _fold(term) if _keep(ch))


def _is_ascii_word(key: str) -> bool:
    return key.isascii() and key.isalnum()


@dataclass(frozen=True)
class NgEntry:
    term: str
    key: str
    action: str


@dataclass(frozen=True)
class Verdict:
    """What a text triggers: the strongest action of the NG words it contains (None: nothing)."""

    action: str | None
    matches: tuple[NgEntry, ...] = field(default_factory=tuple)

    @property
    def terms(self) -> list[str]:
        return [m.term for m in self.matches]


class NgMatcher:
    def __init__(self, entries: Iterable[NgEntry]):
        self.entries = [e for e in entries if e.key]

    def check(self, text: str) -> Verdict:
        folded = _fold(text)
        kept = [i for i, ch in enumerate(folded) if _keep(ch)]
        compact = "".join(folded[i] for i in kept)
        matches = []
        for entry in self.entries:
            if self._contains(folded, kept, compact, entry.key):
                matches.append(entry)
        if not matches:
            return Verdict(None)
        matches.sort(key=lambda e: (-ACTION_ORDER.get(e.action, 0), e.term))
        return Verdict(matches[0].action, tuple(matches))

    @staticmethod
    def _contains(folded: str, kept: list[int], compact: str, key: str) -> bool:
        start = compact.find(key)
        if not _is_ascii_word(key):
            return start >= 0
        while start >= 0:
            first, last = kept[start], kept[start + len(key) - 1]
            before = folded[first - 1] if first > 0 else ""
            after = folded[last + 1] if last + 1 < len(folded) else ""
            if not _ascii_alnum(before) and not _ascii_alnum(after):
                return True
            start = compact.find(key, start + 1)
        return False


def _ascii_alnum(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()
