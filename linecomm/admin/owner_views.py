"""Owner-only pages: staff accounts, the audit log, community settings."""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from linecomm.admin import audit_entries, forms, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.moderation import service as moderation
from linecomm.staff import service as staff_service
from linecomm.staff import sessions as staff_sessions
from linecomm.staff.roles import ROLE_LABELS, Permission, Role
from linecomm.staff.service import StaffError

AUDIT_PAGE = 50


@bp.route("/staff", methods=["GET", "POST"])
@requires(Permission.STAFF)
def staff_list() -> Any:
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("email", "display_name", "role")}
        try:
            user = staff_service.create_user(db(), form["email"], form["display_name"], form["role"],
                                             request.form.get("password", ""))
        except StaffError as exc:
            flash(str(exc), "error")
        else:
            audit.record(db(), security.actor(), "staff.create", "staff", user.id,
                         after={"email": user.email, "role": user.role})
            commit()
            flash(f"{user.email} を追加しました。初期パスワードはご本人に安全な方法でお伝えください。", "info")
            return redirect(url_for("admin.staff_list"), 303)
    users = staff_service.list_staff(db())
    locks = {u.id: staff_service.locked_until(db(), u.email) for u in users}
    return render_template("admin/staff.html", users=users, locks=locks, roles=list(Role), labels=ROLE_LABELS,
                           form=form, open_sessions=staff_sessions.open_session_counts(db()))


@bp.post("/staff/<int:staff_id>")
@requires(Permission.STAFF)
def staff_update(staff_id: int) -> Any:
    user = forms.or_404(staff_service.get(db(), staff_id))
    op = request.form.get("op", "")
    try:
        if op == "role":
            changes = staff_service.update(db(), user, role=request.form.get("role", ""))
        elif op in ("disable", "enable"):
            if op == "disable" and user.id == g.staff.id:
                raise StaffError("ご自身のアカウントは無効にできません。")
            changes = staff_service.update(db(), user, is_active=op == "enable")
        elif op == "unlock":
            staff_service.unlock(db(), user, security.client_address())
            audit.record(db(), security.actor(), "staff.unlock", "staff", user.id)
            commit()
            flash(f"{user.email} のロックを解除しました。", "info")
            return redirect(url_for("admin.staff_list"), 303)
        elif op == "password":
            staff_service.set_password(db(), user, request.form.get("password", ""))
            audit.record(db(), security.actor(), "staff.password_reset", "staff", user.id)
            commit()
            flash(f"{user.email} のパスワードを再設定しました。", "info")
            return redirect(url_for("admin.staff_list"), 303)
        elif op == "sign_out_everywhere":
            count = staff_sessions.revoke_all(db(), user)
            audit.record(db(), security.actor(), "staff.sign_out_everywhere", "staff", user.id,
                         after={"sessions": count})
            commit()
            flash(f"{user.email} をすべての端末からログアウトしました。", "info")
            return redirect(url_for("admin.staff_list"), 303)
        else:
            raise StaffError("操作の指定が正しくありません。")
    except (StaffError, ValueError) as exc:
        db().rollback()
        flash(str(exc) if isinstance(exc, StaffError) else "役割の指定が正しくありません。", "error")
        return redirect(url_for("admin.staff_list"), 303)
    if changes:
        audit.record(db(), security.actor(), "staff.update", "staff", user.id,
                     before={k: v[0] for k, v in changes.items()}, after={k: v[1] for k, v in changes.items()})
        commit()
        flash(f"{user.email} を変更しました。", "info")
    return redirect(url_for("admin.staff_list"), 303)


@bp.get("/audit")
@requires(Permission.AUDIT)
def audit_log() -> Any:
    args = request.args
    action = args.get("action", "")
    since, until = forms.jst_date(args.get("since")), forms.jst_date(args.get("until"))
    flt = audit.AuditFilter(
        staff_id=forms.int_arg(args.get("staff")),
        action=action if action in audit.ACTION_LABELS or action.endswith(".") else None,
        target_type=(args.get("target_type") or "")[:40] or None,
        target_id=(args.get("target_id") or "")[:64] or None,
        since=forms.jst_day_start(since) if since else None,
        until=forms.jst_day_end(until) if until else None,
    )
    rows = audit.search(db(), flt, before_id=forms.int_arg(args.get("before")), limit=AUDIT_PAGE + 1)
    more = len(rows) > AUDIT_PAGE
    rows = rows[:AUDIT_PAGE]
    params = {k: v for k, v in args.items() if k != "before" and v}
    return render_template("admin/audit.html", rows=audit_entries.lines(db(), rows),
                           users=staff_service.list_staff(db()), actions=audit.ACTION_LABELS,
                           target_types=audit_entries.TARGET_TYPES, params=params,
                           next_before=rows[-1].id if more and rows else None)


@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.SETTINGS)
def settings_page() -> Any:
    """The moderation policy. Each form sends its own fields; a field not sent is left as it is."""
    if request.method == "POST":
        changes: dict[str, tuple[object, object]] = {}
        if "report_hide_threshold" in request.form:
            threshold = forms.int_arg(request.form.get("report_hide_threshold"), 1, 100)
            if threshold is None:
                flash("非表示にする通報数は1から100の数字で入力してください。", "error")
                return redirect(url_for("admin.settings_page"), 303)
            changes["report_hide_threshold"] = moderation.set_report_threshold(db(), threshold)
        if "image_posts" in request.form:
            try:
                changes["image_posts"] = moderation.set_image_policy(db(), request.form.get("image_posts", ""))
            except moderation.ModerationError as exc:
                db().rollback()
                flash(str(exc), "error")
                return redirect(url_for("admin.settings_page"), 303)
        if "hold_personal_data" in request.form:
            value = request.form.get("hold_personal_data", "")
            if value not in ("on", "off"):
                db().rollback()
                flash("個人情報の扱いは「確認後に公開」か「確認しない」から選んでください。", "error")
                return redirect(url_for("admin.settings_page"), 303)
            changes["hold_personal_data"] = moderation.set_personal_data_rule(db(), value == "on")
        for name, (before, after) in changes.items():
            if before != after:
                audit.record(db(), security.actor(), "settings.update", "settings", name,
                             before={name: before}, after={name: after})
        commit()
        flash("設定を保存しました。", "info")
        return redirect(url_for("admin.settings_page"), 303)
    return render_template("admin/settings.html", policy=moderation.read_policy(db()))
