"""The NG-word list: add, change, remove, import and export as CSV, and the shipped default list.
An entry may carry readings (死ね: しね), matched like the term (see matcher.py)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.moderation.matcher import NgEntry, NgMatcher, Verdict, term_key
from linecomm.moderation.models import NgAction, NgWord

ACTION_LABELS = {NgAction.BLOCK: "投稿を拒否", NgAction.HOLD: "承認まで保留", NgAction.FLAG: "掲載して要確認"}
# Japanese spellings accepted in imported CSV files, besides block / hold / flag.
_ACTION_ALIASES = {
    "拒否": NgAction.BLOCK, "ブロック": NgAction.BLOCK, "投稿を拒否": NgAction.BLOCK,
    "保留": NgAction.HOLD, "承認制": NgAction.HOLD, "承認まで保留": NgAction.HOLD,
    "要確認": NgAction.FLAG, "フラグ": NgAction.FLAG, "掲載して要確認": NgAction.FLAG,
}
TERM_MAX = 100
NOTE_MAX = 200
READING_MAX = 50
READINGS_MAX = 10
IMPORT_MAX_ROWS = 5000
# Readings are written 「しね、シネ」 (or with spaces) in the console and 「しね|シネ」 in CSV.
_READING_SEPARATORS = re.compile(r"[|｜、，,;；/／\s]+")


class NgWordError(ValueError):
    """An NG-word change that cannot be made, with a Japanese message."""


def parse_action(raw: str) -> str:
    value = raw.strip()
    if value.lower() in NgAction.ALL:
        return value.lower()
    if value in _ACTION_ALIASES:
        return _ACTION_ALIASES[value]
    raise NgWordError(f"対応「{value}」は使えません。block / hold / flag のいずれかを指定してください。")


def _clean(term: str, note: str | None) -> tuple[str, str, str | None]:
    term = " ".join(term.split())
    if not term:
        raise NgWordError("NGワードを入力してください。")
    if len(term) > TERM_MAX:
        raise NgWordError(f"NGワードは{TERM_MAX}文字以内にしてください。")
    key = term_key(term)
    if not key:
        raise NgWordError("記号や空白だけのNGワードは登録できません。")
    note = (note or "").strip()[:NOTE_MAX] or None
    return term, key, note


def clean_readings(raw: str | None, key: str) -> str | None:
    """Readings as stored: separated by |, duplicates (after folding) and the term itself left out."""
    readings: list[str] = []
    seen = {key}
    for part in _READING_SEPARATORS.split(raw or ""):
        reading = " ".join(part.split())
        if not reading:
            continue
        if len(reading) > READING_MAX:
            raise NgWordError(f"読みは1つ{READING_MAX}文字以内にしてください。")
        reading_key = term_key(reading)
        if not reading_key:
            raise NgWordError(f"読み「{reading}」は記号や空白だけのため登録できません。")
        if reading_key not in seen:
            seen.add(reading_key)
            readings.append(reading)
    if len(readings) > READINGS_MAX:
        raise NgWordError(f"読みは{READINGS_MAX}個までにしてください。")
    return "|".join(readings) or None


def readings_of(word: NgWord) -> list[str]:
    return word.readings.split("|") if word.readings else []


def entry_of(term: str, key: str, action: str, readings: str | None) -> NgEntry:
    return NgEntry(term, key, action, tuple(term_key(r) for r in readings.split("|")) if readings else ())


def list_words(session: Session) -> list[NgWord]:
    return list(session.scalars(select(NgWord).order_by(NgWord.action, NgWord.term_key)))


SCREEN_KEY = "linecomm.moderation.screen"  # session.info: the rules `service.screen` read in this transaction


def forget_screen(session: Session) -> None:
    """The list or the personal-data rule changed in this session: the next screen reads them again."""
    session.info.pop(SCREEN_KEY, None)


def matcher(session: Session) -> NgMatcher:
    """The matcher for the list as it is in the database now. The rows are read every time (a word added
    by staff counts from the next message on, in every process); compiling them, which costs far more
    than reading them, happens once per distinct list."""
    rows = session.execute(select(NgWord.term, NgWord.term_key, NgWord.action, NgWord.readings)
                           .order_by(NgWord.term_key)).all()
    return _compiled(tuple(tuple(row) for row in rows))


@lru_cache(maxsize=8)
def _compiled(rows: tuple[tuple[str, str, str, str | None], ...]) -> NgMatcher:
    return NgMatcher(entry_of(*row) for row in rows)


def check_text(session: Session, text: str) -> Verdict:
    """What `text` would trigger with the current list."""
    return matcher(session).check(text)


def add(session: Session, term: str, action: str, note: str | None = None, created_by: str | None = None,
        readings: str | None = None) -> NgWord:
    term, key, note = _clean(term, note)
    action = parse_action(action)
    cleaned_readings = clean_readings(readings, key)
    existing = session.scalar(select(NgWord).where(NgWord.term_key == key))
    if existing is not None:
        raise NgWordError(f"「{existing.term}」として登録済みです（同じ語として扱われます）。")
    word = NgWord(term=term, term_key=key, action=action, note=note, created_by=created_by,
                  readings=cleaned_readings)
    session.add(word)
    session.flush()
    forget_screen(session)
    return word


def update(session: Session, word: NgWord, action: str, note: str | None,
           readings: str | None = None) -> dict[str, tuple[object, object]]:
    """Change an entry's action, note and (unless `readings` is None) readings; returns
    {field: (before, after)} of what changed."""
    action = parse_action(action)
    note = (note or "").strip()[:NOTE_MAX] or None
    changes: dict[str, tuple[object, object]] = {}
    if readings is not None:
        cleaned = clean_readings(readings, word.term_key)
        if cleaned != word.readings:
            changes["readings"] = (word.readings, cleaned)
            word.readings = cleaned
    if action != word.action:
        changes["action"] = (word.action, action)
        word.action = action
    if note != word.note:
        changes["note"] = (word.note, note)
        word.note = note
    session.flush()
    forget_screen(session)
    return changes


def delete(session: Session, word: NgWord) -> None:
    session.delete(word)
    session.flush()
    forget_screen(session)


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def import_csv(
    session: Session, text: str, created_by: str | None = None, overwrite: bool = True
) -> ImportResult:
    """Add or update entries from CSV text with a header row `term,action[,note][,readings]` (語句,対応,メモ,
    読み also accepted; readings separated by | or 、). Entries already present get the file's action, note
    and readings (unless `overwrite` is False).
    Bad rows are reported by line number and skipped; the rest are imported."""
    result = ImportResult()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    columns = {"term": None, "action": None, "note": None, "readings": None}
    for index, name in enumerate(header):
        for column, names in (("term", ("term", "語句", "ngワード")), ("action", ("action", "対応")),
                              ("note", ("note", "メモ", "備考")), ("readings", ("readings", "reading", "読み"))):
            if name in names:
                columns[column] = index
    if columns["term"] is None or columns["action"] is None:
        raise NgWordError("1行目に見出し（term,action,note）が必要です。")
    existing = {w.term_key: w for w in session.scalars(select(NgWord))}
    for line_no, row in enumerate(reader, start=2):
        if line_no > IMPORT_MAX_ROWS + 1:
            result.errors.append(f"{IMPORT_MAX_ROWS}行を超えた分は取り込んでいません。")
            break
        if not any(cell.strip() for cell in row):
            continue
        try:
            term = row[columns["term"]] if columns["term"] < len(row) else ""
            action = parse_action(row[columns["action"]] if columns["action"] < len(row) else "")
            note = row[columns["note"]] if columns["note"] is not None and columns["note"] < len(row) else None
            term, key, note = _clean(term, note)
            readings = clean_readings(_cell(row, columns["readings"]), key)
        except NgWordError as exc:
            result.errors.append(f"{line_no}行目: {exc}")
            continue
        word = existing.get(key)
        if word is None:
            word = NgWord(term=term, term_key=key, action=action, note=note, created_by=created_by,
                          readings=readings)
            session.add(word)
            existing[key] = word
            result.added += 1
        elif overwrite and (word.action, word.note, word.readings) != (
            action, note if note is not None else word.note, readings if readings is not None else word.readings
        ):
            # An empty note or readings cell leaves what the staff wrote.
            word.action = action
            word.note = note if note is not None else word.note
            word.readings = readings if readings is not None else word.readings
            result.updated += 1
        else:
            result.unchanged += 1
    session.flush()
    forget_screen(session)
    return result


def _cell(row: list[str], index: int | None) -> str | None:
    """A column that may be absent: None when the file has no such column (or the row is short)."""
    return row[index] if index is not None and index < len(row) else None


def export_csv(session: Session) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["term", "action", "note", "readings"])
    for word in list_words(session):
        writer.writerow([word.term, word.action, word.note or "", word.readings or ""])
    return out.getvalue()


def default_list_csv() -> str:
    return resources.files("linecomm.moderation").joinpath("default_ng_words.csv").read_text("utf-8")


def load_defaults(session: Session, created_by: str | None = None) -> ImportResult:
    """Add the shipped default list's entries that are missing; entries already present are left as the
    staff set them."""
    return import_csv(session, default_list_csv(), created_by=created_by, overwrite=False)
