"""Step messages for new members (N days after joining, at a Japan time), and the pushes settings a
marketer keeps: quiet hours, the weekly cap per member, and the staff LINE accounts for test sends."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.pushes import policy as policies
from linecomm.pushes import service as pushes
from linecomm.pushes import steps
from linecomm.pushes.errors import PushError
from linecomm.staff.roles import Permission


@bp.route("/steps", methods=["GET", "POST"])
@requires(Permission.PUSHES)
def step_list() -> Any:
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "")[:5000] for k in ("name", "days", "time_of_day", "text", "image_url")}
        days = forms.int_arg(form["days"], 0, 365)
        try:
            if days is None:
                raise PushError("入会からの日数は0〜365日で指定してください。")
            step = steps.create_step(
                db(), name=form["name"], days_after_join=days, time_of_day=form["time_of_day"],
                text=form["text"].replace("\r\n", "\n").strip(), image_url=form["image_url"].strip() or None,
                allow_partial=bool(request.form.get("allow_partial")),
            )
        except PushError as exc:
            db().rollback()
            flash(str(exc), "error")
        else:
            audit.record(db(), security.actor(), "step.create", "step", step.id, after={
                "name": step.name, "days_after_join": step.days_after_join, "time_of_day": step.time_of_day})
            commit()
            flash(f"ステップ配信「{step.name}」を追加しました。これから参加するメンバーに届きます。", "info")
            return redirect(url_for("admin.step_list"), 303)
    return render_template("admin/steps.html", lines=pushes.step_lines(db()), form=form)


@bp.post("/steps/<int:step_id>")
@requires(Permission.PUSHES)
def step_update(step_id: int) -> Any:
    op = request.form.get("op", "")
    if op not in ("enable", "disable"):
        abort(400, "操作の指定が正しくありません。")
    try:
        step = steps.set_active(db(), step_id, op == "enable")
    except PushError:
        abort(404)
    audit.record(db(), security.actor(), f"step.{op}", "step", step.id, after={"active": step.active})
    commit()
    flash(f"ステップ配信「{step.name}」を{'再開' if step.active else '停止'}しました。", "info")
    return redirect(url_for("admin.step_list"), 303)


@bp.route("/push-settings", methods=["GET", "POST"])
@requires(Permission.PUSHES)
def push_settings() -> Any:
    if request.method == "POST":
        op = request.form.get("op", "")
        try:
            if op == "policy":
                before = policies.current(db())
                old = {"quiet": f"{before.quiet_start}-{before.quiet_end}", "weekly_cap": before.weekly_cap}
                cap = forms.int_arg(request.form.get("weekly_cap"), 1, 100)
                if cap is None:
                    raise PushError("1週間あたりの上限回数は1〜100回で指定してください。")
                row = policies.update(db(), quiet_start=request.form.get("quiet_start", ""),
                                      quiet_end=request.form.get("quiet_end", ""), weekly_cap=cap,
                                      by=security.actor().email)
                audit.record(db(), security.actor(), "push.policy", "push_policy", 1, before=old,
                             after={"quiet": f"{row.quiet_start}-{row.quiet_end}", "weekly_cap": row.weekly_cap})
                message = "配信ルールを保存しました。予約済みの配信の開始時刻も見直しました。"
            elif op == "add_recipient":
                recipient = policies.add_test_recipient(db(), request.form.get("line_user_id", ""),
                                                        request.form.get("label", ""))
                audit.record(db(), security.actor(), "push.test_recipient_add", "test_recipient", recipient.id,
                             after={"line_user_id": recipient.line_user_id, "label": recipient.label})
                message = f"テスト配信先「{recipient.label}」を登録しました。"
            elif op == "remove_recipient":
                line_user_id = request.form.get("line_user_id", "")[:64]
                if not policies.remove_test_recipient(db(), line_user_id):
                    raise PushError("そのテスト配信先は登録されていません。")
                audit.record(db(), security.actor(), "push.test_recipient_remove", "test_recipient", None,
                             before={"line_user_id": line_user_id})
                message = "テスト配信先を削除しました。"
            else:
                abort(400, "操作の指定が正しくありません。")
        except PushError as exc:
            db().rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.push_settings"), 303)
        commit()
        flash(message, "info")
        return redirect(url_for("admin.push_settings"), 303)
    return render_template("admin/push_settings.html", policy=policies.current(db()),
                           recipients=policies.test_recipients(db()))
