"""Appointments in the console (the owner, Permission.APPOINTMENTS): the candidate rules, the candidates
who meet them (one set-based query, keyset-paged), appointing a candidate as 公認アンバサダー or
コミュニティモデレーター and revoking an appointment. Every change is audit-logged."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.security import requires
from linecomm.ambassadors import candidates, copy, service
from linecomm.ambassadors.models import Appointment, AppointmentRole
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.staff.roles import Permission
from linecomm.timezones import format_jst
from linecomm.web_runtime import get_runtime

LIFF_BASE = "https://liff.line.me"
NUMBER_MAX_CHARS = 9


def moderation_page_url() -> str:
    return f"{LIFF_BASE}/{get_runtime().settings.liff_id}/moderate"


@bp.get("/appointments")
@requires(Permission.APPOINTMENTS)
def appointments() -> Any:
    session = reader()
    rules = service.read_rules(session)
    now = utcnow()
    found = candidates.page(session, rules, now, candidates.parse_cursor(request.args.get("after")))
    return render_template(
        "admin/appointments.html", rules=rules, required=set(service.badge_codes(rules)),
        badge_choices=service.badge_choices(session), page=found,
        active=service.active(session), titles=copy.TITLES, roles=AppointmentRole.ALL,
        first_page=request.args.get("after") is None, page_size=candidates.PAGE)


def _int_field(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw or len(raw) > NUMBER_MAX_CHARS or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


@bp.post("/appointments/rules")
@requires(Permission.APPOINTMENTS)
def appointment_rules() -> Any:
    values: dict[str, object] = {name: _int_field(name) for name in service.LIMITS}
    values["required_badges"] = [c[:40] for c in request.form.getlist("badge")[:50]]
    values["no_sanctions"] = request.form.get("no_sanctions") == "1"
    try:
        before, after = service.set_rules(db(), values, security.actor().email)
    except service.AppointmentError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.appointments"), 303)
    audit.record(db(), security.actor(), "appointments.rules", "appointment_rules", 1, before=before, after=after)
    commit()
    flash(copy.RULES_SAVED, "info")
    return redirect(url_for("admin.appointments"), 303)


@bp.post("/appointments/members/<int:member_id>")
@requires(Permission.APPOINTMENTS)
def appointment_create(member_id: int) -> Any:
    member = forms.or_404(db().get(Member, member_id))
    role = request.form.get("role", "")
    try:
        made = service.appoint(db(), member.id, role, by=security.actor().email, liff_url=moderation_page_url())
    except service.AppointmentError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.appointments"), 303)
    audit.record(db(), security.actor(), "appointments.appoint", "member", member.id,
                 after={"role": role, "appointment_id": made.appointment.id,
                        "notice_held_until": format_jst(made.notice.not_before) if made.notice else None})
    service.send_after_commit(db(), made.notice)
    commit()
    title = copy.TITLES[role]
    if made.notice is not None and made.notice.not_before is not None:
        flash(copy.APPOINTED_HELD.format(nickname=member.nickname or "", title=title,
                                         at=format_jst(made.notice.not_before, "%-m月%-d日 %H:%M")), "info")
    else:
        flash(copy.APPOINTED.format(nickname=member.nickname or "", title=title), "info")
    return redirect(url_for("admin.appointments"), 303)


@bp.post("/appointments/<int:appointment_id>/revoke")
@requires(Permission.APPOINTMENTS)
def appointment_revoke(appointment_id: int) -> Any:
    appointment = forms.or_404(db().get(Appointment, appointment_id))
    member = db().get(Member, appointment.member_id)
    try:
        service.revoke(db(), appointment.id, by=security.actor().email, reason=request.form.get("reason", ""))
    except service.AppointmentError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.appointments"), 303)
    audit.record(db(), security.actor(), "appointments.revoke", "member", appointment.member_id,
                 before={"role": appointment.role, "appointment_id": appointment.id},
                 after={"ended": True, "reason": appointment.end_reason})
    commit()
    flash(copy.REVOKED.format(nickname=(member.nickname if member else "") or "", title=copy.TITLES[appointment.role]),
          "info")
    return redirect(url_for("admin.appointments"), 303)
