"""Ideas in the console: the list by stage (support count, momentum), an idea's page (its text, supporters
count, comments, the official answers sent), changing its stage with an official answer (the cost shown
first, sent by the delivery engine), the thresholds, and the CSV export. Marketers change; moderators read.
The rules are linecomm.ideas.stages'; these views parse, call, audit and commit."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from linecomm.admin import forms, push_labels, security
from linecomm.admin.blueprint import bp, commit, db, reader, write
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.ideas import copy, export, service, stages
from linecomm.ideas.models import Idea, IdeaStage
from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem
from linecomm.pushes import jobs
from linecomm.pushes.errors import PushError
from linecomm.staff.roles import Permission
from linecomm.web_runtime import get_runtime

PAGE = 30
SORTS = {"support": Idea.support_count, "momentum": Idea.momentum}


@bp.get("/ideas")
@requires(Permission.IDEAS_READ)
def ideas() -> Any:
    """Ideas of one stage (検討中 first: the review list), most supported or with the most momentum."""
    stage = request.args.get("stage") or IdeaStage.REVIEW
    stage = stage if stage in IdeaStage.ALL else IdeaStage.REVIEW
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "support"
    key = SORTS[sort]
    stmt = (select(Idea, Member.nickname, ContentItem.state).join(ContentItem, ContentItem.id == Idea.content_id)
            .outerjoin(Member, Member.id == Idea.member_id).where(Idea.stage == stage))
    value, before = forms.int_arg(request.args.get("value"), minimum=0), forms.int_arg(request.args.get("before"))
    if value is not None and before is not None:
        from sqlalchemy import tuple_

        stmt = stmt.where(tuple_(key, Idea.id) < tuple_(value, before))
    rows = db().execute(stmt.order_by(key.desc(), Idea.id.desc()).limit(PAGE + 1)).all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    last = rows[-1][0] if more and rows else None
    return render_template("admin/ideas.html", rows=rows, stage=stage, sort=sort, labels=copy.STAGE_LABELS,
                           next_page={"stage": stage, "sort": sort, "value": getattr(last, key.key),
                                      "before": last.id} if last else None,
                           limits=service.thresholds(db()), now=utcnow(), days_left=service.days_left)


@bp.get("/ideas/<int:idea_id>")
@requires(Permission.IDEAS_READ)
def idea_detail(idea_id: int) -> Any:
    idea = forms.or_404(db().get(Idea, idea_id))
    now = utcnow()
    item = db().get(ContentItem, idea.content_id)
    quota = push_labels.quota_or_none(get_runtime().line)
    return render_template(
        "admin/idea.html", idea=idea, item=item, labels=copy.STAGE_LABELS,
        nickname=service.nickname_of(db(), idea.member_id),
        comments=service.comments_of(db(), idea.id, 0), answers=stages.answers_of(db(), idea.id),
        cost=stages.answer_cost(db(), idea.id, quota, now), quota_known=quota is not None,
        days_left=service.days_left(idea, now), choices=[s for s in IdeaStage.SET_BY_STAFF if s != idea.stage],
        final=idea.stage in stages.FINAL, answer_max=copy.ANSWER_MAX,
    )


@bp.post("/ideas/<int:idea_id>/stage")
@requires(Permission.IDEAS)
def idea_stage(idea_id: int) -> Any:
    forms.or_404(reader().get(Idea, idea_id))
    rt = get_runtime()
    back = redirect(url_for("admin.idea_detail", idea_id=idea_id), 303)
    answer = (request.form.get("answer") or "")[:copy.ANSWER_MAX * 2]
    quota = push_labels.quota_or_none(rt.line) if answer.strip() else None  # asked before the write begins
    try:
        if answer.strip() and quota is None:
            raise PushError(copy.QUOTA_UNKNOWN)
        done = stages.change_stage(db(), idea_id, request.form.get("stage", ""), answer,
                                   liff_id=rt.settings.liff_id or "", quota=quota,
                                   created_by=security.actor().email, now=utcnow())
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return back
    audit.record(db(), security.actor(), "idea.stage", "idea", idea_id, before={"stage": done.before}, after={
        "stage": done.idea.stage, "answer": done.answer.body if done.answer else None,
        "recipients": done.cost.sendable if done.cost else None})
    commit()
    if done.starts_at is not None:
        jobs.wake_scheduler(rt, done.starts_at)  # after commit: the scheduler must find the answer
    flash(copy.stage_changed(copy.STAGE_LABELS[done.idea.stage], done.cost.sendable if done.cost else None), "info")
    for note in done.notes:
        flash(note, "info")
    return back


@bp.get("/ideas/settings")
@requires(Permission.IDEAS_READ)
def idea_settings() -> Any:
    return render_template("admin/idea_settings.html", limits=service.thresholds(db()))


@bp.post("/ideas/settings")
@requires(Permission.IDEAS)
def idea_settings_save() -> Any:
    threshold = forms.int_arg(request.form.get("threshold"), minimum=0, maximum=10**9)
    window = forms.int_arg(request.form.get("window_days"), minimum=0, maximum=10**9)
    try:
        before, after = stages.save_thresholds(db(), threshold if threshold is not None else 0,
                                               window if window is not None else 0, security.actor().email, utcnow())
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return render_template("admin/idea_settings.html", limits=service.thresholds(reader()),
                               typed=request.form), 422
    audit.record(db(), security.actor(), "idea.settings", "idea_settings", 1, before=before, after=after)
    commit()
    flash(copy.SETTINGS_SAVED, "info")
    return redirect(url_for("admin.idea_settings"), 303)


@bp.get("/ideas.csv")
@requires(Permission.IDEAS)
def ideas_csv() -> Any:
    """Every idea (or one stage's) as a CSV download, written while it is read (flat memory at any size)."""
    stage = request.args.get("stage")
    stage = stage if stage in IdeaStage.ALL else None
    with write() as session:
        audit.record(session, security.actor(), "idea.export", "idea", None, after={"format": "csv", "stage": stage})
    readers = get_runtime().readers

    def body() -> Iterator[bytes]:
        with readers() as session:
            for piece in export.ideas_csv(session, stage):
                yield piece.encode("utf-8")

    return Response(body(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={export.filename(utcnow())}"})


