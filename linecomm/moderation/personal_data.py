"""The built-in personal-data rule: phone numbers, e-mail addresses, LINE IDs and postal addresses.

Japanese community rules always forbid posting them, so content containing any of them is held for a
moderator's review (the owner can switch the rule off in 設定). Text is folded first (NFKC: full-width
digits, letters, ＠ and hyphens; the many dashes people type between digits), so 「０９０ー１２３４ー５６７８」
counts like 090-1234-5678.
"""
from __future__ import annotations

import re
import unicodedata

from linecomm.text.normalise import normalise


class PersonalData:
    PHONE = "phone"
    EMAIL = "email"
    LINE_ID = "line_id"
    ADDRESS = "address"

    ALL = ("phone", "email", "line_id", "address")


LABELS = {
    PersonalData.PHONE: "電話番号",
    PersonalData.EMAIL: "メールアドレス",
    PersonalData.LINE_ID: "LINE ID",
    PersonalData.ADDRESS: "住所・郵便番号",
}

# Dashes typed between digits: hyphen, minus, en/em dash, horizontal bar, the long-vowel mark (ー is
# what an IME often gives for "-"), and their full- and half-width forms (NFKC already folds －).
_DASHES = str.maketrans({ch: "-" for ch in "‐‑‒–—―−ーｰ﹣"})

# A run that may be a phone number: starts with 0 or +81, digits with single separators between them.
# Whether it is one is decided by its digits (see _is_phone_number).
_PHONE_RUN = re.compile(r"(?<![0-9A-Za-z+])(?:\+81|\(?0)[0-9]?(?:[-\s().]{0,2}[0-9]){7,13}(?![0-9])")
_EMAIL = re.compile(
    r"[a-z0-9][a-z0-9._%+-]*\s*(?:@|\(at\)|\[at\]|あっとまーく)\s*[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}",
    re.IGNORECASE,
)
_LINE_ID = re.compile(
    r"(?:line|らいん)\s*(?:の)?\s*(?:id|あいでぃー?)\s*(?:[:=は]|って|です)?\s*[@＠]?[a-z0-9][a-z0-9._-]{3,}"
    r"|(?<![a-z0-9])id\s*[:=]\s*@?[a-z0-9][a-z0-9._-]{3,}"
    r"|(?:(?<![a-z0-9])id|あいでぃー?|(?:line|らいん)\s*(?:の)?\s*(?:id|あいでぃー?)?)\s*(?:を|の|も)?\s*"
    r"(?:教え|おしえ|交換|こうかん|送っ|おくっ|ちょうだい|くださ|下さ|載せ|のせ)",
)
_POSTAL = re.compile(r"(?:〒|郵便番号\s*(?:[:は])?)\s*[0-9]{3}-?[0-9]{4}(?![0-9])")
# 「渋谷区神南1-2-3」「神南1丁目2番3号」: a municipality, then block and house numbers.
_ADDRESS = re.compile(
    r"(?:都|道|府|県|市|区|町|村|郡)[^\s、。,!?！？]{0,15}?[0-9]{1,4}\s*"
    r"(?:-\s*[0-9]{1,4}\s*-\s*[0-9]{1,4}|丁目\s*[0-9]{1,4}\s*(?:番地?|-))"
)


def _is_phone_number(run: str) -> bool:
    digits = re.sub(r"[^0-9]", "", run)
    if run.startswith("+81"):
        rest = digits[2:]
        digits = rest if rest.startswith("0") else "0" + rest  # +81 (0)90… and +81 90… alike
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if len(digits) == 10:
        return True
    return len(digits) == 11 and digits[1] in "256789" and digits[2] == "0"  # 090, 080, 070, 050, 020…


def find(text: str) -> tuple[str, ...]:
    """The kinds of personal data in `text` (PersonalData values, in a fixed order; empty: none)."""
    if not text:
        return ()
    digits_form = unicodedata.normalize("NFKC", text).translate(_DASHES)
    words_form = normalise(text)  # NFKC, lower case, katakana as hiragana: ライン → らいん
    found = []
    if any(_is_phone_number(m.group()) for m in _PHONE_RUN.finditer(digits_form)):
        found.append(PersonalData.PHONE)
    if _EMAIL.search(words_form):
        found.append(PersonalData.EMAIL)
    if _LINE_ID.search(words_form):
        found.append(PersonalData.LINE_ID)
    if _POSTAL.search(digits_form) or _ADDRESS.search(digits_form):
        found.append(PersonalData.ADDRESS)
    return tuple(found)


def labels(kinds: str | tuple[str, ...] | list[str] | None) -> list[str]:
    """Japanese names of stored kinds (「電話番号」…); `kinds` may be the comma-separated column."""
    if isinstance(kinds, str):
        kinds = kinds.split(",")
    return [LABELS.get(k, k) for k in kinds or () if k]
