"""Members' responses to surveys: submit (first time or edit), read back one's own, list what is open.

- One response per member and survey: the UNIQUE (survey_id, member_id) constraint is the guarantee; two
  first submissions racing each other meet at the constraint, and the loser reads the winner's row again.
- Idempotent by `submission_key`: the form carries a key generated when the page was rendered; the same key
  posted again (a double tap, a retried request) changes nothing and gets the same thank-you.
- Editable until the survey closes: an edit replaces the answers and counts in `edit_count`; after the close
  the response is read-only.
- Free-text answers go through the moderation core (kind "survey", ref "survey:<id>"): NG words and personal
  data flag or hold the item for staff. Survey answers are shown to staff only, never to other members, so
  the response is kept whatever the verdict (a blunt complaint is still feedback); the item tells staff.
  An unchanged text keeps its moderation item on an edit (it is not queued twice).
- Answer → tag: see linecomm.surveys.answer_tags.

Functions only flush; the caller commits.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.db import dialect_name
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentKind
from linecomm.surveys import answer_tags, answering, availability
from linecomm.surveys.availability import SurveyState
from linecomm.surveys.models import Survey, SurveyAnswer, SurveyResponse

SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def ref_of(survey_id: int) -> str:
    return f"survey:{survey_id}"


def valid_submission_key(key: str | None) -> bool:
    return bool(key) and SUBMISSION_KEY.match(key or "") is not None


class Outcome(StrEnum):
    SAVED = "saved"  # the first response
    UPDATED = "updated"  # an edit replaced the answers
    REPEATED = "repeated"  # the same submission again: nothing changed
    INVALID = "invalid"  # errors beside the fields; nothing stored
    REFUSED = "refused"  # not open, not for them, or a suspended member


@dataclass
class Submitted:
    outcome: Outcome
    state: SurveyState = SurveyState.OPEN
    errors: dict[int, str] = field(default_factory=dict)
    response: SurveyResponse | None = None
    suspended: bool = False
    tags_added: set[str] = field(default_factory=set)
    tags_removed: set[str] = field(default_factory=set)

    @property
    def stored(self) -> bool:
        return self.outcome in (Outcome.SAVED, Outcome.UPDATED, Outcome.REPEATED)


def response_of(session: Session, survey_id: int, member_id: int, *, lock: bool = False) -> SurveyResponse | None:
    """The member's own response to the survey (locked for an edit on PostgreSQL)."""
    stmt = select(SurveyResponse).where(SurveyResponse.survey_id == survey_id, SurveyResponse.member_id == member_id)
    if lock and dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def answers_of(session: Session, response_id: int) -> list[SurveyAnswer]:
    return list(session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.response_id == response_id).order_by(SurveyAnswer.id)
    ))


def raw_answers(answers: Sequence[SurveyAnswer]) -> dict[int, list[str]]:
    """Stored answers as a form would post them (to fill the edit form)."""
    raw: dict[int, list[str]] = {}
    for a in answers:
        value = str(a.choice_id) if a.choice_id is not None else str(a.number) if a.number is not None else a.text
        if value is not None:
            raw.setdefault(a.question_id, []).append(value)
    return raw


def submit(session: Session, survey_id: int, member_id: int, raw: Mapping[int, Sequence[str]],
           submission_key: str, now: datetime) -> Submitted:
    """Store the member's response to the survey (or replace it, while the survey is open), after checking
    it against the questions. Nothing is written unless the outcome is SAVED or UPDATED."""
    found = availability.for_member(session, survey_id, member_id, now)
    if found.state is not SurveyState.OPEN or found.survey is None:
        return Submitted(Outcome.REFUSED, found.state)
    member = session.get(Member, member_id)
    if member is None or member.status != MemberStatus.MEMBER:
        return Submitted(Outcome.REFUSED, found.state, suspended=member is not None
                         and member.status == MemberStatus.SUSPENDED)
    if not valid_submission_key(submission_key):
        raise ValueError("submission key must be 16-64 URL-safe characters")
    existing = response_of(session, survey_id, member_id, lock=True)
    if existing is not None and existing.submission_key == submission_key:
        return Submitted(Outcome.REPEATED, response=existing)
    checked = answering.check(answering.questions_of(session, survey_id), raw)
    if not checked.ok:
        return Submitted(Outcome.INVALID, errors=checked.errors, response=existing)
    outcome = Outcome.UPDATED
    if existing is None:
        existing = _insert(session, found.survey, member_id, submission_key, now)
        if existing is None:  # lost the race to a submission of the same member
            existing = response_of(session, survey_id, member_id, lock=True)
            assert existing is not None
            if existing.submission_key == submission_key:
                return Submitted(Outcome.REPEATED, response=existing)
        else:
            outcome = Outcome.SAVED
    if outcome is Outcome.UPDATED:
        existing.edit_count += 1
        existing.updated_at = now
        existing.submission_key = submission_key
    _store_answers(session, found.survey, existing, member_id, checked.answers, now, edit=outcome is Outcome.UPDATED)
    added, removed = answer_tags.apply(session, member, existing, checked.picked, now)
    session.flush()
    if outcome is Outcome.SAVED:  # once per response, not per edit
        actions.record(session, member_id, ActionKind.SURVEY_RESPONSE, f"survey-response:{existing.id}",
                       ref=f"survey:{survey_id}", at=now)
    return Submitted(outcome, response=existing, tags_added=added, tags_removed=removed)


def _insert(session: Session, survey: Survey, member_id: int, key: str, now: datetime) -> SurveyResponse | None:
    response = SurveyResponse(survey_id=survey.id, member_id=member_id, submission_key=key, submitted_at=now,
                              updated_at=now, edit_count=0)
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:
        return None
    return response


def _store_answers(session: Session, survey: Survey, response: SurveyResponse, member_id: int,
                   answers: list[answering.Answer], now: datetime, *, edit: bool) -> None:
    kept_items: dict[tuple[int, str], int | None] = {}
    if edit:
        for old in answers_of(session, response.id):
            if old.text is not None:
                kept_items[(old.question_id, old.text)] = old.content_item_id
        session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
    for answer in answers:
        if answer.choices:
            session.add_all(SurveyAnswer(response_id=response.id, question_id=answer.question_id, choice_id=c.id)
                            for c in answer.choices)
        elif answer.number is not None:
            session.add(SurveyAnswer(response_id=response.id, question_id=answer.question_id, number=answer.number))
        elif answer.text is not None:
            key = (answer.question_id, answer.text)
            if key in kept_items:
                item_id = kept_items[key]
            else:
                item_id = moderation.submit(session, member_id, ContentKind.SURVEY, answer.text,
                                            ref=ref_of(survey.id), now=now).id
            session.add(SurveyAnswer(response_id=response.id, question_id=answer.question_id, text=answer.text,
                                     content_item_id=item_id))


@dataclass(frozen=True)
class Listing:
    """A survey as the member's list shows it."""

    survey: Survey
    state: SurveyState
    response: SurveyResponse | None


def open_for_member(session: Session, member_id: int, now: datetime) -> list[Listing]:
    """The surveys open now for the member, answered or not."""
    surveys = availability.open_for(session, member_id, now)
    responses = _responses(session, member_id, [s.id for s in surveys])
    return [Listing(s, SurveyState.OPEN, responses.get(s.id)) for s in surveys]


def answered_by(session: Session, member_id: int, now: datetime, limit: int = 20) -> list[Listing]:
    """The surveys the member answered, the latest answer first, with whether each is still open."""
    rows = session.execute(
        select(Survey, SurveyResponse).join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .where(SurveyResponse.member_id == member_id, Survey.published_at.is_not(None))
        .order_by(SurveyResponse.updated_at.desc(), SurveyResponse.id.desc()).limit(limit)
    ).all()
    return [Listing(s, availability.period_state(s, now), r) for s, r in rows]


def _responses(session: Session, member_id: int, survey_ids: list[int]) -> dict[int, SurveyResponse]:
    if not survey_ids:
        return {}
    rows = session.scalars(
        select(SurveyResponse).where(SurveyResponse.member_id == member_id, SurveyResponse.survey_id.in_(survey_ids))
    )
    return {r.survey_id: r for r in rows}
