"""Sign-in, sign-out and one's own account: password, signed-in browsers, sign out everywhere (the home
page is in home_views)."""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from linecomm.admin import security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import public, signed_in
from linecomm.audit import service as audit
from linecomm.staff import service as staff_service
from linecomm.staff import sessions as staff_sessions
from linecomm.staff.models import StaffUser
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
        security.start_session(db(), user)
        commit()
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
    security.end_session(db())
    commit()
    flash("ログアウトしました。", "info")
    return redirect(url_for("admin.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Any:
    if request.method == "POST":
        new = request.form.get("new_password", "")
        if new != request.form.get("new_password_confirm", ""):
            flash("新しいパスワードが確認用と一致しません。", "error")
        else:
            user = db().get(StaffUser, g.staff.id)  # g.staff was read in the request's read-only session
            try:
                staff_service.change_password(db(), user, request.form.get("current_password", ""), new)
            except StaffError as exc:
                flash(str(exc), "error")
            else:
                audit.record(db(), security.actor(), "auth.password_change", "staff", user.id)
                security.start_session(db(), user)  # every session ended; this browser gets a new one
                commit()
                flash("パスワードを変更しました。", "info")
                return redirect(url_for("admin.dashboard"), 303)
    return render_template("admin/password.html")


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account() -> Any:
    """One's own account: the browsers signed in to it; POST signs it out of all of them, this one too."""
    if request.method == "POST":
        count = staff_sessions.revoke_all(db(), g.staff)
        audit.record(db(), security.actor(), "auth.sign_out_everywhere", "staff", g.staff.id,
                     after={"sessions": count})
        security.end_session(db())
        commit()
        flash("すべての端末からログアウトしました。", "info")
        return redirect(url_for("admin.login"), 303)
    return render_template("admin/account.html", sessions=staff_sessions.open_sessions(db(), g.staff),
                           current_id=g.staff_session_id)
