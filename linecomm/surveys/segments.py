"""Surveys' conditions for push segments: "answered survey X" and "answered X with choice Y", registered
with linecomm.pushes.segments (which names this module in CONDITION_MODULES and never imports it).

Both are EXISTS over survey_responses / survey_answers, correlated to `members.id`: one set-based statement
counts or freezes a segment of any size."""
from __future__ import annotations

from sqlalchemy import ColumnElement, exists, literal, select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.pushes.segments import RegisteredCondition, register_condition
from linecomm.surveys.models import Survey, SurveyAnswer, SurveyChoice, SurveyQuestion, SurveyResponse
from linecomm.text.quotes import quoted


def answered_any(survey_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """The member has a response to one of the surveys."""
    return exists(
        select(literal(1)).select_from(SurveyResponse)
        .where(SurveyResponse.member_id == Member.id, SurveyResponse.survey_id.in_(survey_ids))
    )


def picked_any(choice_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """The member's response picked one of the choices (the question ids let the answers' index serve)."""
    questions = select(SurveyChoice.question_id).where(SurveyChoice.id.in_(choice_ids))
    return exists(
        select(literal(1)).select_from(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.member_id == Member.id, SurveyAnswer.question_id.in_(questions),
               SurveyAnswer.choice_id.in_(choice_ids))
    )


def _titles(session: Session, survey_ids: tuple[int, ...]) -> dict[int, str]:
    return dict(session.execute(select(Survey.id, Survey.title).where(Survey.id.in_(survey_ids))).all())


def _choices(session: Session, choice_ids: tuple[int, ...]) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        select(SurveyChoice.id, Survey.title, SurveyChoice.label)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyChoice.question_id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(SurveyChoice.id.in_(choice_ids))
    ).all()
    return {choice_id: (title, label) for choice_id, title, label in rows}


def describe_surveys(session: Session | None, survey_ids: tuple[int, ...]) -> str:
    titles = _titles(session, survey_ids) if session is not None else {}
    names = [quoted(titles[i]) if i in titles else f"No.{i}" for i in survey_ids]
    return "アンケート回答済み: " + "・".join(names) + ("（いずれか）" if len(names) > 1 else "")


def describe_choices(session: Session | None, choice_ids: tuple[int, ...]) -> str:
    found = _choices(session, choice_ids) if session is not None else {}
    names = [f"{quoted(found[i][0])}で{quoted(found[i][1])}" if i in found else f"選択肢No.{i}" for i in choice_ids]
    return "アンケートの回答: " + "・".join(names) + ("（いずれか）" if len(names) > 1 else "")


def missing_surveys(session: Session, survey_ids: tuple[int, ...]) -> list[str]:
    known = _titles(session, survey_ids)
    return [f"アンケート（No.{i}）が見つかりません。" for i in survey_ids if i not in known]


def missing_choices(session: Session, choice_ids: tuple[int, ...]) -> list[str]:
    known = _choices(session, choice_ids)
    return [f"アンケートの選択肢（No.{i}）が見つかりません。" for i in choice_ids if i not in known]


register_condition(RegisteredCondition("answered_surveys", answered_any, describe_surveys, missing_surveys))
register_condition(RegisteredCondition("answered_choices", picked_any, describe_choices, missing_choices))


def form_options(session: Session, limit: int = 30) -> list[dict[str, object]]:
    """The published surveys a marketer can pick in a segment form (newest first), each with its choice
    questions' choices: `{"id", "title", "choices": [(choice id, "質問: 選択肢")]}`."""
    surveys = list(session.execute(
        select(Survey.id, Survey.title).where(Survey.published_at.is_not(None)).order_by(Survey.id.desc()).limit(limit)
    ).all())
    if not surveys:
        return []
    choices: dict[int, list[tuple[int, str]]] = {survey_id: [] for survey_id, _ in surveys}
    rows = session.execute(
        select(SurveyQuestion.survey_id, SurveyChoice.id, SurveyQuestion.prompt, SurveyChoice.label)
        .join(SurveyChoice, SurveyChoice.question_id == SurveyQuestion.id)
        .where(SurveyQuestion.survey_id.in_(list(choices)))
        .order_by(SurveyQuestion.survey_id, SurveyQuestion.position, SurveyChoice.position)
    ).all()
    for survey_id, choice_id, prompt, label in rows:
        choices[survey_id].append((choice_id, f"{prompt}: {label}"))
    return [{"id": survey_id, "title": title, "choices": choices[survey_id]} for survey_id, title in surveys]
