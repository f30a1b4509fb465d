"""Deliveries: the live progress of a send (polled as JSON), pause / resume / stop, and the report once
it is over. The pushes engine does the sending; these views only read its numbers and call its controls."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from linecomm.admin import forms, push_labels, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.pushes import control
from linecomm.pushes.errors import PushError
from linecomm.pushes.models import Delivery, StepMessage
from linecomm.pushes.progress import progress, report
from linecomm.pushes.segments import Segment
from linecomm.staff.roles import Permission
from linecomm.themes.models import ThemePost

CONTROLS = {"pause": ("delivery.pause", "配信を一時停止しました。"),
            "resume": ("delivery.resume", "配信を再開しました。"),
            "stop": ("delivery.stop", "配信を中止しました。まだ送っていない方には届きません。")}


@bp.get("/deliveries/<int:delivery_id>")
@requires(Permission.PUSHES)
def delivery(delivery_id: int) -> Any:
    row = forms.or_404(db().get(Delivery, delivery_id))
    post = db().get(ThemePost, row.post_id) if row.post_id else None
    step = db().get(StepMessage, row.step_id) if row.step_id else None
    numbers = report(db(), row.id)
    assert numbers is not None
    return render_template("admin/delivery.html", delivery=row, post=post, step=step, report=numbers,
                           live=push_labels.progress_json(numbers.progress),
                           segment=Segment.from_json(row.segment).describe(db()) if row.kind == "post" else None)


@bp.get("/deliveries/<int:delivery_id>/progress.json")
@requires(Permission.PUSHES)
def delivery_progress(delivery_id: int) -> Any:
    numbers = forms.or_404(progress(db(), delivery_id))
    return jsonify(push_labels.progress_json(numbers))


@bp.post("/deliveries/<int:delivery_id>/control")
@requires(Permission.PUSHES)
def delivery_control(delivery_id: int) -> Any:
    forms.or_404(db().get(Delivery, delivery_id))
    op = request.form.get("op", "")
    if op not in CONTROLS:
        abort(400, "操作の指定が正しくありません。")
    action, message = CONTROLS[op]
    try:
        row = getattr(control, op)(db(), delivery_id)
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.delivery", delivery_id=delivery_id), 303)
    audit.record(db(), security.actor(), action, "delivery", delivery_id, after={"status": row.status})
    commit()  # a resumed delivery's lanes start after this commit
    flash(message, "info")
    return redirect(url_for("admin.delivery", delivery_id=delivery_id), 303)
