"""Surveys in the console: the list, the builder (create and edit a draft, with branching and answer →
tag), publish and close early. The surveys builder keeps the rules (linecomm.surveys.builder); these
views parse the form, call it, record the audit row and commit. Results, the CSV export and announcements
are in survey_results_views."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.security import requires
from linecomm.admin.survey_forms import SurveyForm
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.members import directory, tags
from linecomm.reviews import segments as review_segments
from linecomm.staff.roles import Permission
from linecomm.surveys import builder
from linecomm.surveys import copy_admin as copy
from linecomm.surveys import segments as survey_segments
from linecomm.surveys.builder import BuilderError, SurveyDraft
from linecomm.surveys.models import QuestionKind, Survey
from linecomm.surveys.results import response_counts

PAGE = 30


def audit_view(draft: SurveyDraft) -> dict[str, Any]:
    """What the audit log keeps of a survey: enough to see what changed, not every word."""
    return {"title": draft.title, "opens_at": draft.opens_at, "closes_at": draft.closes_at,
            "segment": draft.segment.to_json(),
            "questions": [{"kind": q.kind, "prompt": q.prompt, "required": q.required, "show_if": q.show_if,
                           "choices": [[c.label, c.tag_name] for c in q.choices]} for q in draft.questions]}


@bp.get("/surveys")
@requires(Permission.SURVEYS_READ)
def surveys() -> Any:
    before = forms.int_arg(request.args.get("before"))
    stmt = select(Survey).order_by(Survey.id.desc()).limit(PAGE + 1)
    if before is not None:
        stmt = stmt.where(Survey.id < before)
    rows = list(db().scalars(stmt))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    now = utcnow()
    return render_template("admin/surveys.html", rows=rows, counts=response_counts(db(), [s.id for s in rows]),
                           status={s.id: builder.status_of(s, now) for s in rows}, labels=copy.STATUS_LABELS,
                           next_before=rows[-1].id if more and rows else None)


def _builder_page(form: SurveyForm, survey: Survey | None, errors: dict[str, str], *, locked: bool = False,
                  status: int = 200) -> Any:
    """The builder, with room for one more question and two more choices per question (unless only the
    wording may change), and each error beside its field."""
    if not locked:
        form.with_blanks()
    body = render_template(
        "admin/survey_form.html", form=form, survey=survey, errors=errors, locked=locked,
        kinds=copy.KIND_LABELS, with_choices=QuestionKind.WITH_CHOICES, all_tags=tags.all_tags(reader()),
        cohorts=sorted(set(directory.cohorts(reader())) | set(form.segment.cohort)),
        survey_options=[o for o in survey_segments.form_options(reader()) if survey is None or o["id"] != survey.id],
        product_options=review_segments.form_options(reader()),
    )
    return body, status


def _save(survey: Survey | None) -> Any:
    """Create or update from the posted form; on an error the builder again, as typed, with 422."""
    locked = survey is not None and survey.published_at is not None and builder.has_responses(reader(), survey.id)
    form = SurveyForm.read(request.form).compact()
    draft, errors = form.draft()
    if request.form.get("action") == "add_question" and not locked:
        return _builder_page(form, survey, {})
    if errors:  # the form's own errors (dates, segment) together with the builder's, all at once
        errors = builder.field_errors(reader(), draft) | errors
        flash(copy.SUMMARY, "error")
        return _builder_page(form, survey, errors, locked=locked, status=422)
    actor = security.actor()
    try:
        if survey is None:
            saved, created = builder.create_survey(db(), draft, created_by=actor.email)
            audit.record(db(), actor, "survey.create", "survey", saved.id,
                         after=audit_view(draft) | {"tags_created": created})
        else:
            before = audit_view(builder.draft_of(db(), survey))
            saved, created = builder.update_survey(db(), survey.id, draft, created_by=actor.email)
            audit.record(db(), actor, "survey.update", "survey", saved.id, before=before,
                         after=audit_view(draft) | {"tags_created": created})
    except BuilderError as exc:
        db().rollback()
        flash(copy.SUMMARY, "error")
        return _builder_page(form, survey, exc.errors, locked=locked, status=422)
    commit()
    flash(copy.saved(saved.title, created), "info")
    return redirect(url_for("admin.survey_detail", survey_id=saved.id), 303)


@bp.route("/surveys/new", methods=["GET", "POST"])
@requires(Permission.SURVEYS)
def survey_new() -> Any:
    if request.method == "GET":
        return _builder_page(SurveyForm(), None, {})
    return _save(None)


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@requires(Permission.SURVEYS)
def survey_edit(survey_id: int) -> Any:
    survey = forms.or_404(reader().get(Survey, survey_id))
    if builder.status_of(survey) == "closed":
        flash(copy.ALREADY_CLOSED, "error")
        return redirect(url_for("admin.survey_detail", survey_id=survey.id), 303)
    if request.method == "GET":
        locked = survey.published_at is not None and builder.has_responses(reader(), survey.id)
        return _builder_page(SurveyForm.of(builder.draft_of(reader(), survey)), survey, {}, locked=locked)
    return _save(survey)


@bp.post("/surveys/<int:survey_id>/publish")
@requires(Permission.SURVEYS)
def survey_publish(survey_id: int) -> Any:
    forms.or_404(db().get(Survey, survey_id))
    try:
        survey = builder.publish(db(), survey_id)
    except BuilderError as exc:
        db().rollback()
        for message in dict.fromkeys(_numbered(exc.errors)):
            flash(message, "error")
        return redirect(url_for("admin.survey_detail", survey_id=survey_id), 303)
    audit.record(db(), security.actor(), "survey.publish", "survey", survey.id,
                 after={"published_at": survey.published_at, "opens_at": survey.opens_at,
                        "closes_at": survey.closes_at})
    commit()
    flash(copy.published(survey.title), "info")
    return redirect(url_for("admin.survey_detail", survey_id=survey.id), 303)


@bp.post("/surveys/<int:survey_id>/close")
@requires(Permission.SURVEYS)
def survey_close(survey_id: int) -> Any:
    forms.or_404(db().get(Survey, survey_id))
    try:
        survey = builder.close(db(), survey_id)
    except BuilderError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.survey_detail", survey_id=survey_id), 303)
    audit.record(db(), security.actor(), "survey.close", "survey", survey.id, after={"closed_at": survey.closed_at})
    commit()
    flash(copy.closed(survey.title), "info")
    return redirect(url_for("admin.survey_detail", survey_id=survey.id), 303)


def _numbered(errors: dict[str, str]) -> list[str]:
    """Builder errors as sentences naming their question ("Q2: ...") for a page without the form."""
    out = []
    for key, message in errors.items():
        head = key.split(".", 1)[0]
        out.append(f"Q{head[1:]}：{message}" if head.startswith("q") and head[1:].isdigit() else message)
    return out
