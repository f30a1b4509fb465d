"""One's own LINE account on the account page: issue a one-time code to link it (sent in chat, see
linecomm.staff.chat), opt in or out of the weekly summary, unlink it. Each change is audited."""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from linecomm.admin import security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.security import signed_in
from linecomm.audit import service as audit
from linecomm.staff import line_link
from linecomm.staff import sessions as staff_sessions
from linecomm.staff.line_link import StaffLineLink
from linecomm.timezones import format_jst

NOT_LINKED = "LINEアカウントが連携されていません。先にコードを発行して、LINEで連携してください。"


@bp.context_processor
def _staff_line_link() -> dict[str, Any]:
    def own_line_link() -> StaffLineLink | None:
        staff = g.get("staff")
        return None if staff is None else line_link.link_of(reader(), staff.id)

    return {"own_line_link": own_line_link}


@bp.post("/account/line/code")
@signed_in
def issue_line_code() -> Any:
    """A new one-time code, shown once on the account page (only its hash is stored)."""
    issued = line_link.issue_code(db(), g.staff.id)
    audit.record(db(), security.actor(), "staff.line_code", "staff", g.staff.id)
    commit()
    return render_template("admin/account.html", sessions=staff_sessions.open_sessions(db(), g.staff),
                           current_id=g.staff_session_id, line_code=issued.code,
                           line_code_until=format_jst(issued.expires_at, "%H:%M"))


@bp.post("/account/line/weekly")
@signed_in
def set_weekly_summary() -> Any:
    wanted = request.form.get("weekly") == "on"
    if not line_link.set_weekly_summary(db(), g.staff.id, wanted):
        flash(NOT_LINKED, "error")
        return redirect(url_for("admin.account"), 303)
    audit.record(db(), security.actor(), "staff.weekly_summary", "staff", g.staff.id, after={"weekly": wanted})
    commit()
    flash("週次サマリーを受け取る設定にしました。毎週月曜9時にLINEでお送りします。" if wanted
          else "週次サマリーの受け取りを停止しました。", "info")
    return redirect(url_for("admin.account"), 303)


@bp.post("/account/line/unlink")
@signed_in
def unlink_line() -> Any:
    if line_link.forget(db(), g.staff.id):
        audit.record(db(), security.actor(), "staff.line_unlink", "staff", g.staff.id)
        commit()
        flash("LINEアカウントとの連携を解除しました。", "info")
    else:
        flash(NOT_LINKED, "error")
    return redirect(url_for("admin.account"), 303)
