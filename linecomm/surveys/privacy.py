"""Surveys' privacy hook: a member's survey responses and their answers (free texts included).

Erasing empties the free-text answers (their moderation items are redacted by moderation's hook); the
responses and their choice and number answers stay (no personal data in them once the member row is
anonymised), so response counts, charts and the NPS keep working.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.surveys.models import Survey, SurveyAnswer, SurveyChoice, SurveyQuestion, SurveyResponse

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    responses = session.execute(
        select(SurveyResponse, Survey.title).join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyResponse.member_id == member.id).order_by(SurveyResponse.id)
    ).all()
    answers: dict[int, list[dict[str, Any]]] = {}
    if responses:
        rows = session.execute(
            select(SurveyAnswer, SurveyQuestion.prompt, SurveyChoice.label)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .outerjoin(SurveyChoice, SurveyChoice.id == SurveyAnswer.choice_id)
            .where(SurveyAnswer.response_id.in_([r.id for r, _ in responses]))
            .order_by(SurveyQuestion.position, SurveyAnswer.id)
        )
        for answer, prompt, label in rows:
            answers.setdefault(answer.response_id, []).append(
                {"question": prompt, "choice": label, "number": answer.number, "text": answer.text})
    return {
        "survey_responses": [
            {"survey_id": r.survey_id, "survey": title, "submitted_at": plain(r.submitted_at),
             "updated_at": plain(r.updated_at), "edit_count": r.edit_count, "answers": answers.get(r.id, [])}
            for r, title in responses
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    mine = select(SurveyResponse.id).where(SurveyResponse.member_id == member.id)
    erased = session.execute(
        update(SurveyAnswer).where(SurveyAnswer.response_id.in_(mine), SurveyAnswer.text.is_not(None))
        .values(text="").execution_options(synchronize_session=False)
    ).rowcount or 0
    return {"survey_texts": int(erased)}


hook = PrivacyHook(
    name="surveys",
    tables=("survey_responses", "survey_answers"),
    export_member=export_member,
    erase_member=erase_member,
)
