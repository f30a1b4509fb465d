"""Sign-in, sign-out, the dashboard and one's own password."""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from linecomm.admin import security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import public, signed_in
from linecomm.audit import service as audit
from linecomm.moderation import service as moderation
from linecomm.staff import service as staff_service
from linecomm.staff.roles import Permission
from linecomm.staff.service import SignIn, StaffError
from linecomm.timezones import format_jst


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    if g.staff is not None and request.method == "GET":
        return redirect(security.safe_next(request.args.get("next")))
    notice = None
    if request.args.get("expired"):
        notice = "一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"
    if request.method == "GET":
        return render_template("admin/login.html", notice=notice, email="", next=request.args.get("next", ""))
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:1024]
    next_url = request.form.get("next", "")
    result = staff_service.sign_in(db(), email, password, security.client_address())
    if result.outcome is SignIn.OK and result.user is not None:
        user = result.user
        audit.record(db(), audit.Actor(user.id, user.email, security.client_address()), "auth.sign_in",
                     "staff", user.id)
        commit()
        security.start_session(user)
        return redirect(security.safe_next(next_url), 303)
    commit()  # the failed attempt counts towards the throttle
    status = 200
    if result.outcome is SignIn.LOCKED:
        error = (f"ログインの失敗が続いたため、このアカウントは{format_jst(result.locked_until, '%H:%M')}まで"
                 "ロックされています。時間をおいてお試しいただくか、オーナーにロックの解除を依頼してください。")
        status = 429
    elif result.outcome is SignIn.ADDRESS_THROTTLED:
        error = "このネットワークからのログインの失敗が多すぎます。しばらく時間をおいてからお試しください。"
        status = 429
    elif result.outcome is SignIn.DISABLED:
        error = "このアカウントは無効になっています。オーナーにお問い合わせください。"
        status = 403
    else:
        error = "メールアドレスまたはパスワードが正しくありません。"
        status = 401
    return render_template("admin/login.html", error=error, email=email, next=next_url), status


@bp.post("/logout")
@signed_in
def logout() -> Any:
    audit.record(db(), security.actor(), "auth.sign_out", "staff", g.staff.id)
    commit()
    security.end_session()
    flash("ログアウトしました。", "info")
    return redirect(url_for("admin.login"), 303)


@bp.get("/")
@signed_in
def dashboard() -> Any:
    queue_size = moderation.queue_size(db()) if security.can(Permission.MODERATION) else None
    return render_template("admin/dashboard.html", queue_size=queue_size)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Any:
    if request.method == "POST":
        new = request.form.get("new_password", "")
        if new != request.form.get("new_password_confirm", ""):
            flash("新しいパスワードが確認用と一致しません。", "error")
        else:
            try:
                staff_service.change_password(db(), g.staff, request.form.get("current_password", ""), new)
            except StaffError as exc:
                flash(str(exc), "error")
            else:
                audit.record(db(), security.actor(), "auth.password_change", "staff", g.staff.id)
                commit()
                security.start_session(g.staff)  # this session continues; the others end
                flash("パスワードを変更しました。", "info")
                return redirect(url_for("admin.dashboard"), 303)
    return render_template("admin/password.html")
