"""Japanese-aware NG-word matching.

Text and terms are compared in a folded form: NFKC (full/half width, ｶﾀｶﾅ → カタカナ), case folded,
katakana folded to hiragana, and everything that is not a letter or a digit dropped, so characters
slipped between the letters of a word do not hide it (「バ カ」「ば.か」「ﾊﾞｶ」「バ★カ」 all match 「バカ」).
The long-vowel mark ー counts as a letter: 「バーカ」 is its own entry.

Terms written only in ASCII letters and digits must stand as a word in the original text, so that
"ass" does not match "class" while "f u c k" and "f.u.c.k" still match "fuck".

An entry may carry readings (死ね: しね; バカ: baka), matched like the term, with one difference: a reading
written only in kana must start a word (not follow kana or a kanji) and not run on into katakana or a kanji,
because short kana strings occur inside ordinary words (しね in 「少しねむい」「雨だしね」「シネマ」); hiragana
may follow it (「しねよ」「あほうだな」).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from linecomm.text.normalise import fold_kana

ACTION_ORDER = {"flag": 1, "hold": 2, "block": 3}


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in ("L", "N")


def _fold(text: str) -> str:
    """NFKC, case and kana folding, character by character positions preserved where possible."""
    return fold_kana(_width_and_case(text))


def _width_and_case(text: str) -> str:
    """NFKC and case folding only: `_fold` without the kana folding, position for position."""
    return unicodedata.normalize("NFKC", text).casefold()


def term_key(term: str) -> str:
    """The form an NG word is stored and matched in."""
    return "".join(ch for ch in _fold(term) if _keep(ch))


def _is_ascii_word(key: str) -> bool:
    return key.isascii() and key.isalnum()


def _is_kana(key: str) -> bool:
    return all(0x3041 <= ord(ch) <= 0x309F or ch == "ー" for ch in key)


def _kanji(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or ch == "々"


def _japanese_letter(ch: str) -> bool:
    """Kana, the long-vowel mark or a kanji: characters that continue a Japanese word."""
    if not ch or unicodedata.category(ch)[0] != "L":
        return False
    return 0x3040 <= ord(ch) <= 0x30FF or _kanji(ch)


def _ascii_word_stands_alone(before: str, after: str) -> bool:
    return not _ascii_alnum(before) and not _ascii_alnum(after)


def _kana_reading_stands_alone(before: str, after: str) -> bool:
    """`before` and `after` as typed (katakana not folded): a word starts here, and the reading does not
    run on into katakana (シネ|マ) or a kanji."""
    runs_on = bool(after) and unicodedata.category(after)[0] == "L" and (
        0x30A1 <= ord(after) <= 0x30FA or _kanji(after))
    return not _japanese_letter(before) and not runs_on


@dataclass(frozen=True)
class NgEntry:
    term: str
    key: str
    action: str
    readings: tuple[str, ...] = ()  # matching forms (term_key) of the entry's readings


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
        typed = _width_and_case(text)
        folded = fold_kana(typed)
        kept = [i for i, ch in enumerate(folded) if _keep(ch)]
        compact = "".join(folded[i] for i in kept)
        matches = []
        for entry in self.entries:
            term_rule = _ascii_word_stands_alone if _is_ascii_word(entry.key) else None
            if self._contains(typed, kept, compact, entry.key, term_rule) or any(
                self._contains(typed, kept, compact, reading, _reading_rule(reading)) for reading in entry.readings
            ):
                matches.append(entry)
        if not matches:
            return Verdict(None)
        matches.sort(key=lambda e: (-ACTION_ORDER.get(e.action, 0), e.term))
        return Verdict(matches[0].action, tuple(matches))

    @staticmethod
    def _contains(typed: str, kept: list[int], compact: str, key: str,
                  stands_alone: Callable[[str, str], bool] | None) -> bool:
        """Whether `key` occurs in the text (`compact` is its folded letters, `kept` their positions in
        `typed`); with `stands_alone`, only where it accepts the characters typed before and after."""
        if not key:
            return False
        start = compact.find(key)
        if stands_alone is None:
            return start >= 0
        while start >= 0:
            first, last = kept[start], kept[start + len(key) - 1]
            before = typed[first - 1] if first > 0 else ""
            after = typed[last + 1] if last + 1 < len(typed) else ""
            if stands_alone(before, after):
                return True
            start = compact.find(key, start + 1)
        return False


def _reading_rule(reading: str) -> Callable[[str, str], bool] | None:
    if _is_ascii_word(reading):
        return _ascii_word_stands_alone
    return _kana_reading_stands_alone if _is_kana(reading) else None


def _ascii_alnum(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()
