"""Surveys made directly as rows, for tests (the builder in the admin page is tested on its own).

    made = make_survey(session, title="満足度アンケート", questions=[
        {"kind": "single", "prompt": "使っていますか", "choices": ["はい", ("いいえ", "未使用")]},
        {"kind": "text", "prompt": "使わない理由", "required": False, "show_if": (1, 2)},
        {"kind": "nps", "prompt": "おすすめ度"},
    ])
    made.id, made.q(2), made.c(1, 2)   # survey id, question id by position, choice id by positions

A question spec: `kind` (QuestionKind), `prompt`, `required` (default True), `help_text`, `choices` (labels,
`(label, tag_name)` pairs or `{"label", "tag_name"}` dicts; positions start at 1), `show_if`
(`(question position, choice position)` of an earlier question: shown only when that choice was picked).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.pushes.segments import Segment
from linecomm.surveys.models import QuestionKind, Survey, SurveyChoice, SurveyQuestion

_DEFAULT = object()


@dataclass
class MadeSurvey:
    survey: Survey
    questions: dict[int, int] = field(default_factory=dict)  # position → question id
    choices: dict[tuple[int, int], int] = field(default_factory=dict)  # (question pos, choice pos) → choice id

    @property
    def id(self) -> int:
        return self.survey.id

    def q(self, position: int) -> int:
        return self.questions[position]

    def c(self, question_position: int, choice_position: int) -> int:
        return self.choices[(question_position, choice_position)]


def _choice(spec: Any) -> tuple[str, str | None]:
    if isinstance(spec, str):
        return spec, None
    if isinstance(spec, Mapping):
        return spec["label"], spec.get("tag_name")
    label, tag_name = spec
    return label, tag_name


def make_survey(
    session: Session,
    title: str = "テストアンケート",
    questions: Iterable[Mapping[str, Any]] = (),
    opens_at: datetime | None | object = _DEFAULT,
    closes_at: datetime | None | object = _DEFAULT,
    segment: Segment | str | None = None,
    published: bool = True,
    description: str | None = None,
    thank_you_message: str | None = "ご回答ありがとうございました。",
    closed_at: datetime | None = None,
) -> MadeSurvey:
    """A survey with its questions and choices, flushed. Opens an hour ago and closes in 7 days unless told;
    published unless `published=False`. `segment`: a Segment, its JSON, or None (every member)."""
    now = utcnow()
    survey = Survey(
        title=title, description=description, thank_you_message=thank_you_message,
        opens_at=now - timedelta(hours=1) if opens_at is _DEFAULT else opens_at,  # type: ignore[arg-type]
        closes_at=now + timedelta(days=7) if closes_at is _DEFAULT else closes_at,  # type: ignore[arg-type]
        segment=segment.to_json() if isinstance(segment, Segment) else (segment or "{}"),
        published_at=now - timedelta(hours=2) if published else None, closed_at=closed_at,
        created_by="factory@example.com", created_at=now, updated_at=now,
    )
    session.add(survey)
    session.flush()
    made = MadeSurvey(survey)
    for q_pos, spec in enumerate(questions, start=1):
        kind = spec.get("kind", QuestionKind.SINGLE)
        assert kind in QuestionKind.ALL, kind
        show_if = spec.get("show_if")
        question = SurveyQuestion(
            survey_id=survey.id, position=q_pos, kind=kind, prompt=spec.get("prompt", f"質問{q_pos}"),
            help_text=spec.get("help_text"), required=spec.get("required", True),
            show_if_choice_id=made.c(*show_if) if show_if else None,
        )
        session.add(question)
        session.flush()
        made.questions[q_pos] = question.id
        for c_pos, choice_spec in enumerate(spec.get("choices", ()), start=1):
            label, tag_name = _choice(choice_spec)
            choice = SurveyChoice(question_id=question.id, position=c_pos, label=label, tag_name=tag_name)
            session.add(choice)
            session.flush()
            made.choices[(q_pos, c_pos)] = choice.id
    return made
