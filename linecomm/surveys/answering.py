"""A submitted response checked against its survey: which questions count (branching), what each answer
means, and a Japanese message beside each question that is not answered as it should be.

Raw answers come as strings per question id (what a form posts: a choice id, several choice ids, a number,
a text). Questions are walked in order; a question with `show_if_choice_id` counts only when that choice
was picked on a question that counts itself. Answers to questions that do not count are dropped, whatever
the browser sent, so a hidden question is never required and never stored.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.surveys import copy
from linecomm.surveys.models import QuestionKind, SurveyChoice, SurveyQuestion
from linecomm.text import limits

TEXT_MAX = 1000  # characters in one free-text answer
NUMBER_RANGES = {QuestionKind.RATING: (1, 5), QuestionKind.NPS: (0, 10)}
RAW_VALUES_MAX = 50  # values read for one question (a multiple choice has at most this many choices)


@dataclass(frozen=True)
class Question:
    """A question with its choices, in order."""

    row: SurveyQuestion
    choices: tuple[SurveyChoice, ...] = ()

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def kind(self) -> str:
        return self.row.kind

    def choice(self, choice_id: int) -> SurveyChoice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


def questions_of(session: Session, survey_id: int) -> list[Question]:
    """The survey's questions with their choices (two statements)."""
    rows = list(session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position)
    ))
    choices: dict[int, list[SurveyChoice]] = {q.id: [] for q in rows}
    if rows:
        for choice in session.scalars(
            select(SurveyChoice).where(SurveyChoice.question_id.in_(list(choices)))
            .order_by(SurveyChoice.question_id, SurveyChoice.position)
        ):
            choices[choice.question_id].append(choice)
    return [Question(q, tuple(choices[q.id])) for q in rows]


@dataclass(frozen=True)
class Answer:
    """One question's valid answer: picked choices, a number or a text."""

    question_id: int
    choices: tuple[SurveyChoice, ...] = ()
    number: int | None = None
    text: str | None = None


@dataclass
class Checked:
    answers: list[Answer] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)  # question id → Japanese message
    shown: set[int] = field(default_factory=set)  # question ids that count

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def picked(self) -> list[SurveyChoice]:
        return [c for a in self.answers for c in a.choices]


def shown_questions(questions: Sequence[Question], picked_ids: set[int]) -> set[int]:
    """The question ids that count when `picked_ids` were picked (a chain of branches counts only if each
    question it hangs on counts)."""
    shown: set[int] = set()
    reachable_choices: set[int] = set()
    for q in questions:
        if q.row.show_if_choice_id is None or q.row.show_if_choice_id in reachable_choices:
            shown.add(q.id)
            reachable_choices.update(c.id for c in q.choices if c.id in picked_ids)
    return shown


def _clean_values(values: Sequence[str]) -> list[str]:
    return [v.strip() for v in list(values)[:RAW_VALUES_MAX] if v is not None and v.strip()]


def _as_int(value: str) -> int | None:
    value = unicodedata.normalize("NFKC", value).strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    return int(value)


def _check_one(q: Question, values: list[str]) -> Answer | str | None:
    """An Answer, a Japanese error, or None (not answered, and that is fine)."""
    required = q.row.required
    if q.kind in QuestionKind.WITH_CHOICES:
        if not values:
            return (copy.CHOOSE_ONE if q.kind == QuestionKind.SINGLE else copy.CHOOSE_SOME) if required else None
        if q.kind == QuestionKind.SINGLE and len(set(values)) > 1:
            return copy.ONLY_ONE
        picked: list[SurveyChoice] = []
        for value in dict.fromkeys(values):
            number = _as_int(value)
            choice = q.choice(number) if number is not None else None
            if choice is None:
                return copy.UNKNOWN_CHOICE
            picked.append(choice)
        return Answer(q.id, choices=tuple(sorted(picked, key=lambda c: c.position)))
    if q.kind in NUMBER_RANGES:
        low, high = NUMBER_RANGES[q.kind]
        message = copy.RATING_RANGE if q.kind == QuestionKind.RATING else copy.NPS_RANGE
        if not values:
            return message if required else None
        number = _as_int(values[0])
        if len(values) > 1 or number is None or not low <= number <= high:
            return message
        return Answer(q.id, number=number)
    # free text (an unknown kind is treated as text: it never breaks the page)
    body = "\n".join(values[:1]).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        return copy.WRITE_SOMETHING if required else None
    if len(body) > TEXT_MAX:
        return limits.too_long(TEXT_MAX, len(body))
    return Answer(q.id, text=body)


def check(questions: Sequence[Question], raw: Mapping[int, Sequence[str]]) -> Checked:
    """Check every question that counts, in order; the choices picked on a question decide which later
    questions count (only valid picks do)."""
    checked = Checked()
    reachable_choices: set[int] = set()
    for q in questions:
        if q.row.show_if_choice_id is not None and q.row.show_if_choice_id not in reachable_choices:
            continue  # hidden: whatever was sent for it is dropped
        checked.shown.add(q.id)
        result = _check_one(q, _clean_values(raw.get(q.id, ())))
        if isinstance(result, str):
            checked.errors[q.id] = result
        elif result is not None:
            checked.answers.append(result)
            reachable_choices.update(c.id for c in result.choices)
    return checked
