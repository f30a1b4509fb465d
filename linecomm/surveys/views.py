"""Members' survey pages (LIFF): the surveys open for me, one survey on one mobile page (answer, see my
answers, edit while open), the thank-you after sending, and my page's 「回答したアンケート」 block.

Ids in URLs are survey ids only: the response shown or changed is always the signed-in member's own
(linecomm.liff.access), so no URL reaches another member's answers. Parsing here, rules in
linecomm.surveys.service; an action commits once.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.liff.access import SignedInMember, commit, db, member_action, member_page
from linecomm.liff.sections import register_my_page_section
from linecomm.surveys import answering, availability, copy, service
from linecomm.surveys.availability import SurveyState
from linecomm.surveys.models import QuestionKind, Survey
from linecomm.surveys.service import Outcome

bp = Blueprint("liff_surveys", __name__, url_prefix="/liff/surveys")

FIELD_PREFIX = "q"
STATE_STATUS = {SurveyState.NOT_FOUND: 404, SurveyState.NOT_FOR_YOU: 403}
MY_ANSWERS_SHOWN = 10


def _raw_from_form() -> dict[int, list[str]]:
    """The answers as posted: `q<question id>` fields, each with one or more values."""
    raw: dict[int, list[str]] = {}
    for name in list(request.form.keys())[:200]:
        digits = name[len(FIELD_PREFIX):]
        if name.startswith(FIELD_PREFIX) and digits.isascii() and digits.isdigit() and len(digits) <= 10:
            raw[int(digits)] = [v[:answering.TEXT_MAX * 2] for v in request.form.getlist(name)]
    return raw


def _state_message(state: SurveyState, survey: Survey | None) -> str:
    if state is SurveyState.NOT_YET_OPEN and survey is not None:
        return copy.not_yet_open(survey.opens_at)
    if state is SurveyState.CLOSED and survey is not None:
        return copy.closed(survey.closes_at if survey.closed_at is None else survey.closed_at)
    return copy.NOT_FOR_YOU if state is SurveyState.NOT_FOR_YOU else copy.NOT_FOUND


def _summary(questions: list[answering.Question], raw: dict[int, list[str]]) -> list[tuple[str, str]]:
    """The member's answers as (prompt, answer) lines, in question order."""
    lines = []
    for q in questions:
        values = raw.get(q.id)
        if not values:
            continue
        if q.kind in QuestionKind.WITH_CHOICES:
            labels = [c.label for c in q.choices if str(c.id) in values]
            lines.append((q.row.prompt, "、".join(labels)))
        elif q.kind == QuestionKind.RATING:
            lines.append((q.row.prompt, f"{values[0]} / 5"))
        elif q.kind == QuestionKind.NPS:
            lines.append((q.row.prompt, f"{values[0]} / 10"))
        else:
            lines.append((q.row.prompt, values[0]))
    return lines


def _page(session: Session, member: SignedInMember, survey_id: int, *, mode: str | None = None,
          raw: dict[int, list[str]] | None = None, errors: dict[int, str] | None = None,
          key: str | None = None, thanks: bool = False, status: int = 200) -> Any:
    """The survey page for this member: a polite state message, their answers, or the form."""
    now = utcnow()
    found = availability.for_member(session, survey_id, member.member_id, now)
    survey = found.survey
    if not found.readable or survey is None:
        page = render_template("liff/surveys_page.html", survey=survey if found.state is SurveyState.NOT_YET_OPEN
                               else None, message=_state_message(found.state, survey), mode="state")
        return page, STATE_STATUS.get(found.state, status)
    questions = answering.questions_of(session, survey.id)
    response = service.response_of(session, survey.id, member.member_id)
    stored = service.raw_answers(service.answers_of(session, response.id)) if response else {}
    is_open = found.state is SurveyState.OPEN
    if mode is None:
        mode = "form" if is_open and response is None else "answers"
    values = stored if raw is None else raw
    picked = {int(v) for q in questions if q.kind in QuestionKind.WITH_CHOICES
              for v in values.get(q.id, ()) if v.isascii() and v.isdigit() and len(v) <= 10}
    page = render_template(
        "liff/surveys_page.html", survey=survey, mode=mode, questions=questions, values=values,
        errors=errors or {}, shown=answering.shown_questions(questions, picked), response=response,
        summary=_summary(questions, stored), is_open=is_open, can_post=member.can_post,
        message=None if is_open else _state_message(found.state, survey), key=key or secrets.token_urlsafe(24),
        thanks=(survey.thank_you_message or copy.THANK_YOU_DEFAULT) if thanks and response else None,
        copy=copy, kinds=QuestionKind, field_prefix=FIELD_PREFIX,
    )
    return page, status


@bp.get("", strict_slashes=False)
@member_page
def index(member: SignedInMember) -> Any:
    """The surveys open for me (answered or not), and those I answered that have closed."""
    now = utcnow()
    listings = service.open_for_member(db(), member.member_id, now)
    open_ids = {item.survey.id for item in listings}
    closed = [item for item in service.answered_by(db(), member.member_id, now) if item.survey.id not in open_ids
              and item.state is SurveyState.CLOSED]
    return render_template("liff/surveys.html", listings=listings, closed=closed, copy=copy)


@bp.get("/<int:survey_id>")
@member_page
def survey_page(survey_id: int, member: SignedInMember) -> Any:
    return _page(db(), member, survey_id)


@bp.get("/<int:survey_id>/edit")
@member_page
def edit(survey_id: int, member: SignedInMember) -> Any:
    """The form filled with my answers (while the survey is open; otherwise the page as it is)."""
    found = availability.for_member(db(), survey_id, member.member_id, utcnow())
    return _page(db(), member, survey_id, mode="form" if found.state is SurveyState.OPEN else None)


@bp.get("/<int:survey_id>/thanks")
@member_page
def thanks(survey_id: int, member: SignedInMember) -> Any:
    return _page(db(), member, survey_id, mode="answers", thanks=True)


@bp.post("/<int:survey_id>")
@member_action
def answer(survey_id: int, member: SignedInMember) -> Any:
    key = request.form.get("submission_key", "")
    if not service.valid_submission_key(key):
        response = jsonify(error=copy.EXPIRED_FORM)
        response.status_code = 400
        return response
    raw = _raw_from_form()
    result = service.submit(db(), survey_id, member.member_id, raw, key, utcnow())
    if result.outcome is Outcome.INVALID:
        db().rollback()
        return _page(db(), member, survey_id, mode="form", raw=raw, errors=result.errors, key=key, status=422)
    if result.outcome is Outcome.REFUSED:
        db().rollback()
        return _page(db(), member, survey_id, status=409 if result.state is SurveyState.CLOSED else 200)
    commit()
    return redirect(url_for("liff_surveys.thanks", survey_id=survey_id), 303)


def my_answers(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    """My page's 「回答したアンケート」: the surveys I answered, with a link to edit those still open."""
    listings = service.answered_by(session, member.member_id, utcnow(), limit=MY_ANSWERS_SHOWN)
    return {"listings": listings, "open": SurveyState.OPEN, "can_post": member.can_post}


register_my_page_section("surveys", 20, "liff/surveys_my_answers.html", my_answers)
