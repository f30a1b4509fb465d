"""Invite codes: create, list with usage, disable."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.members import invites
from linecomm.staff.roles import Permission

MAX_USES_LIMIT = 1_000_000


@bp.route("/invites", methods=["GET", "POST"])
@requires(Permission.INVITES)
def invite_list() -> Any:
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in ("cohort", "max_uses", "expires_on", "code")}
        max_uses = forms.int_arg(form["max_uses"], 1, MAX_USES_LIMIT)
        expires_on = forms.jst_date(form["expires_on"])
        if max_uses is None:
            flash(f"利用上限は1から{MAX_USES_LIMIT:,}までの数字で入力してください。", "error")
        elif form["expires_on"] and expires_on is None:
            flash("有効期限の日付が正しくありません。", "error")
        else:
            try:
                row = invites.create_code(db(), form["cohort"], max_uses, expires_on, code=form["code"] or None,
                                          created_by=security.actor().email)
            except ValueError as exc:
                flash(_japanese(str(exc)), "error")
            else:
                audit.record(db(), security.actor(), "invite.create", "invite_code", row.code, after={
                    "cohort": row.cohort, "max_uses": row.max_uses,
                    "expires_at": row.expires_at.isoformat() if row.expires_at else None})
                commit()
                flash(f"招待コード {row.code} を作成しました。", "info")
                return redirect(url_for("admin.invite_list"), 303)
    return render_template("admin/invites.html", codes=invites.list_codes(db()), form=form)


def _japanese(message: str) -> str:
    if "cohort" in message:
        return "期（コホート）の名前は1〜100文字で入力してください。"
    if "already exists" in message:
        return "そのコードはすでに使われています。"
    if "letters or digits" in message:
        return (f"コードは英数字{invites.CUSTOM_CODE_MIN}〜{invites.CUSTOM_CODE_MAX}文字で入力してください"
                "（推測されないよう、6文字以上にしています）。")
    return "招待コードを作成できませんでした。入力内容をご確認ください。"


@bp.post("/invites/<code>/disable")
@requires(Permission.INVITES)
def invite_disable(code: str) -> Any:
    try:
        row = invites.disable(db(), code)
    except ValueError:
        flash("その招待コードは見つからないか、すでに無効です。", "error")
        return redirect(url_for("admin.invite_list"), 303)
    audit.record(db(), security.actor(), "invite.disable", "invite_code", row.code,
                 before={"disabled": False}, after={"disabled": True, "used": row.used_count})
    commit()
    flash(f"招待コード {row.code} を無効にしました。", "info")
    return redirect(url_for("admin.invite_list"), 303)
