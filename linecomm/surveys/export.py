"""A survey's responses as a CSV file for a spreadsheet: UTF-8 with a BOM (Excel in Japan opens it as
UTF-8), one row per response (nickname, member id, time in Japan time, then each question's answer; the
choices of a multiple-choice answer joined with 「、」). Member text is kept as text: a cell a spreadsheet
would take for a formula gets a leading apostrophe (the same `cell` as theme answers' CSV). The answers
are read through one streamed query (a server-side cursor on PostgreSQL, `yield_per` rows at a time) and
written response by response, so memory stays flat however many responses there are."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem
from linecomm.surveys import copy_admin as copy
from linecomm.surveys.builder import questions_of
from linecomm.surveys.models import SurveyAnswer, SurveyResponse
from linecomm.themes.export import BOM, cell
from linecomm.timezones import format_jst

CHUNK = 1000  # rows fetched per round trip, and responses per piece of output
JOIN = "、"


def _row(first: tuple[Any, ...], answers: dict[int, list[Any]], order: list[int],
         labels: dict[int, tuple[int, str]]) -> list[str]:
    _, member_id, nickname, submitted_at = first
    cells = [nickname or "", str(member_id), format_jst(submitted_at, "%Y-%m-%d %H:%M:%S")]
    for question_id in order:
        values = answers.get(question_id, [])
        choices = sorted((labels[v] for v in values if isinstance(v, int) and v in labels), key=lambda p: p[0])
        if choices:
            cells.append(JOIN.join(label for _, label in choices))
        else:
            cells.append(JOIN.join(str(v[1]) for v in values if isinstance(v, tuple)))
    return [cell(v) for v in cells]


def responses_csv(session: Session, survey_id: int) -> Iterator[str]:
    """The CSV text, in pieces of up to CHUNK responses (the first starts with the BOM and the header)."""
    loaded = questions_of(session, survey_id)
    order = [q.id for q, _ in loaded]
    labels = {c.id: (c.position, c.label) for _, choices in loaded for c in choices}
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["ニックネーム", "メンバーID", "回答日時（日本時間）"]
                    + [f"Q{q.position} {q.prompt}" for q, _ in loaded])
    stmt = (
        select(SurveyResponse.id, SurveyResponse.member_id, Member.nickname, SurveyResponse.submitted_at,
               SurveyAnswer.question_id, SurveyAnswer.choice_id, SurveyAnswer.number, SurveyAnswer.text,
               ContentItem.redacted_at)
        .join(Member, Member.id == SurveyResponse.member_id)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .outerjoin(ContentItem, ContentItem.id == SurveyAnswer.content_item_id)
        .where(SurveyResponse.survey_id == survey_id)
        .order_by(SurveyResponse.id, SurveyAnswer.id)
        .execution_options(yield_per=CHUNK)
    )
    current: tuple[Any, ...] | None = None
    answers: dict[int, list[Any]] = {}
    written = 0
    for response_id, member_id, nickname, at, question_id, choice_id, number, text, redacted in session.execute(stmt):
        if current is None or current[0] != response_id:
            if current is not None:
                writer.writerow(_row(current, answers, order, labels))
                written += 1
                if written % CHUNK == 0:
                    yield out.getvalue()
                    out.seek(0)
                    out.truncate()
            current, answers = (response_id, member_id, nickname, at), {}
        if question_id is None:
            continue
        value: Any  # a choice id, or ("number" | "text", what to write)
        if choice_id is not None:
            value = choice_id
        elif number is not None:
            value = ("number", number)
        else:
            value = ("text", copy.REDACTED if redacted else text or "")
        answers.setdefault(question_id, []).append(value)
    if current is not None:
        writer.writerow(_row(current, answers, order, labels))
    yield out.getvalue()


def filename(survey_id: int, now: datetime) -> str:
    return f"survey-{survey_id}-responses-{format_jst(now, '%Y%m%d-%H%M')}.csv"
