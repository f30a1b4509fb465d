"""Q&A's privacy hook: a member's questions and answers.

Erasing empties their words here (the moderation hook redacts their content items, which hides them from
members everywhere); the rows stay so the other members' answers and the counts keep their place. FAQ
entries are the brand's text, written by a marketer, and are not the member's data.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.qa.models import QaAnswer, QaQuestion

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    asked = session.scalars(select(QaQuestion).where(QaQuestion.member_id == member.id).order_by(QaQuestion.id))
    answered = session.scalars(select(QaAnswer).where(QaAnswer.member_id == member.id).order_by(QaAnswer.id))
    return {
        "qa_questions": [{"id": q.id, "title": q.title, "body": q.body, "category": q.category,
                          "created_at": plain(q.created_at)} for q in asked],
        "qa_answers": [{"id": a.id, "question_id": a.question_id, "body": a.body, "is_best": a.is_best,
                        "created_at": plain(a.created_at)} for a in answered],
    }


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    questions = session.execute(
        update(QaQuestion).where(QaQuestion.member_id == member.id)
        .values(title="", body="", search_key="").execution_options(synchronize_session=False)
    ).rowcount or 0
    answers = session.execute(
        update(QaAnswer).where(QaAnswer.member_id == member.id)
        .values(body="").execution_options(synchronize_session=False)
    ).rowcount or 0
    return {"qa_questions": int(questions), "qa_answers": int(answers)}


hook = PrivacyHook(
    name="qa",
    tables=("qa_questions", "qa_answers"),
    export_member=export_member,
    erase_member=erase_member,
)
