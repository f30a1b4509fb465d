"""A survey's page in the console: its live results (response rate against the target segment, a chart
per choice question, rating and NPS distributions, searchable free-text answers with their moderation
state), the CSV export of every response, and announcing it with a push (now or at a Japan time)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from linecomm.admin import forms, push_labels, security
from linecomm.admin.blueprint import bp, commit, db, reader, write
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.pushes import jobs
from linecomm.pushes.errors import PushError
from linecomm.pushes.schedule import ScheduleError, parse_jst
from linecomm.pushes.segments import Segment
from linecomm.staff.roles import Permission
from linecomm.surveys import announcements, builder, charts, export
from linecomm.surveys import copy_admin as copy
from linecomm.surveys.models import Survey, SurveyAnnouncement
from linecomm.surveys.results import results, text_answers
from linecomm.timezones import format_jst
from linecomm.web_runtime import get_runtime

TEXT_PAGE = 50


def _charts(survey_results: Any) -> dict[int, Any]:
    """Each question's chart (SVG Markup), by question id."""
    out: dict[int, Any] = {}
    for tally in survey_results.tallies:
        q = tally.question
        title = f"Q{q.position} {q.prompt}"
        if tally.kind == "nps":
            out[q.id] = charts.bar_chart(f"chart-{q.id}", title, tally.bars, tally.answered, charts.nps_colours())
        elif tally.bars:
            out[q.id] = charts.bar_chart(f"chart-{q.id}", title, tally.bars, tally.answered)
    return out


def _nps_splits(survey_results: Any) -> dict[int, Any]:
    out = {}
    for tally in survey_results.tallies:
        if tally.nps is not None:
            nps = tally.nps
            out[tally.question.id] = charts.split_bar(
                f"nps-{tally.question.id}", f"Q{tally.question.position} 推奨者・中立者・批判者の割合",
                [("detractors", copy.NPS_GROUPS["detractors"], nps.detractors),
                 ("passives", copy.NPS_GROUPS["passives"], nps.passives),
                 ("promoters", copy.NPS_GROUPS["promoters"], nps.promoters)])
    return out


@bp.get("/surveys/<int:survey_id>")
@requires(Permission.SURVEYS_READ)
def survey_detail(survey_id: int) -> Any:
    survey = forms.or_404(db().get(Survey, survey_id))
    now = utcnow()
    found = results(db(), survey, now)
    q = (request.args.get("q") or "").strip()[:100]
    question_id = forms.int_arg(request.args.get("question"))
    texts = text_answers(db(), survey.id, q, question_id, forms.int_arg(request.args.get("before")), TEXT_PAGE + 1)
    more = len(texts) > TEXT_PAGE
    texts = texts[:TEXT_PAGE]
    status = builder.status_of(survey, now)
    return render_template(
        "admin/survey.html", survey=survey, status=status, status_label=copy.STATUS_LABELS[status],
        results=found, charts=_charts(found), nps_splits=_nps_splits(found), nps_groups=copy.NPS_GROUPS,
        kinds=copy.KIND_LABELS, texts=texts, q=q, question_id=question_id,
        text_questions=[t.question for t in found.tallies if t.kind == "text"],
        next_before=texts[-1].answer_id if more and texts else None,
        segment=Segment.from_json(survey.segment).describe(db()),
        announcements=announcements.of_survey(db(), survey.id),
        announcement_labels=copy.ANNOUNCEMENT_STATUS, default_message=copy.default_announcement(survey.title),
        has_responses=found.responses > 0, liff_url=announcements.liff_url(get_runtime().settings.liff_id or "…",
                                                                           survey.id),
    )


@bp.get("/surveys/<int:survey_id>/responses.csv")
@requires(Permission.SURVEYS)
def survey_responses_csv(survey_id: int) -> Any:
    """Every response as a CSV download, written while it is read (flat memory at any size)."""
    forms.or_404(db().get(Survey, survey_id))
    with write() as session:
        audit.record(session, security.actor(), "survey.export", "survey", survey_id, after={"format": "csv"})
    readers = get_runtime().readers  # the body is streamed after this request's own session is closed

    def body() -> Iterator[bytes]:
        with readers() as reader:
            for piece in export.responses_csv(reader, survey_id):
                yield piece.encode("utf-8")

    return Response(body(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={export.filename(survey_id, utcnow())}"})


@bp.post("/surveys/<int:survey_id>/announce")
@requires(Permission.SURVEYS)
def survey_announce(survey_id: int) -> Any:
    forms.or_404(reader().get(Survey, survey_id))  # the write begins after LINE has answered
    rt = get_runtime()
    back = redirect(url_for("admin.survey_detail", survey_id=survey_id) + "#announce", 303)
    kind = request.form.get("kind", "")
    try:
        if kind not in ("now", "once"):
            raise PushError(copy.ANNOUNCE_WHEN)
        at = None
        if kind == "once":
            value = (request.form.get("at") or "").strip()[:20]
            if not value:
                raise PushError(copy.ANNOUNCE_AT)
            try:
                at = parse_jst(value)
            except ScheduleError:
                raise PushError(copy.ANNOUNCE_AT) from None
        quota = push_labels.quota_or_none(rt.line)  # LINE is asked before the write transaction begins
        if quota is None:
            raise PushError(copy.ANNOUNCE_QUOTA_UNKNOWN)
        done = announcements.announce(db(), survey_id, (request.form.get("message") or "")[:2000], at,
                                      liff_id=rt.settings.liff_id, quota=quota, created_by=security.actor().email)
    except (PushError, builder.BuilderError) as exc:
        db().rollback()
        flash(str(exc), "error")
        return back
    audit.record(db(), security.actor(), "survey.announce", "survey", survey_id, after={
        "announcement_id": done.announcement.id, "kind": kind, "starts_at": done.starts_at,
        "recipients": done.cost.sendable, "message": done.announcement.message})
    commit()
    jobs.wake_scheduler(rt, done.starts_at)  # after commit: the scheduler must find the announcement
    flash(copy.announced(kind, format_jst(done.starts_at), done.cost.sendable), "info")
    for note in done.notes:
        flash(note, "info")
    return back


@bp.post("/surveys/announcements/<int:announcement_id>/cancel")
@requires(Permission.SURVEYS)
def survey_announcement_cancel(announcement_id: int) -> Any:
    row = forms.or_404(db().get(SurveyAnnouncement, announcement_id))
    try:
        announcements.cancel(db(), announcement_id)
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.survey_detail", survey_id=row.survey_id) + "#announce", 303)
    audit.record(db(), security.actor(), "survey.announce_cancel", "survey", row.survey_id,
                 after={"announcement_id": announcement_id})
    commit()
    flash(copy.CANCELLED, "info")
    return redirect(url_for("admin.survey_detail", survey_id=row.survey_id) + "#announce", 303)
