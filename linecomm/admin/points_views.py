"""Points in the console (marketers and owners, Permission.POINTS): the rule per action kind (a change is
a new version that applies from then on), grants and deductions by hand with a reason to one member or a
whole segment (one INSERT ... SELECT; the form's operation id makes a double submit change nothing). Every
change is audit-logged."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.post_forms import FormError, SegmentForm
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.members import directory, tags
from linecomm.members.models import Member
from linecomm.points import copy, rules, service
from linecomm.points.models import PointsJobState
from linecomm.pushes.errors import PushError
from linecomm.reviews import segments as review_segments
from linecomm.staff.roles import Permission
from linecomm.surveys import segments as survey_segments

NUMBER_MAX_CHARS = 9


class BadNumber(ValueError):
    pass


def _number(name: str, what: str, *, optional: bool) -> int | None:
    raw = (request.form.get(name) or "").strip()[:NUMBER_MAX_CHARS + 1]
    if not raw and optional:
        return None
    sign, digits = (-1, raw[1:]) if raw.startswith("-") else (1, raw.lstrip("+"))
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > NUMBER_MAX_CHARS:
        raise BadNumber(copy.BAD_NUMBER.format(what=what))
    return sign * int(digits)


def _page(segment_form: SegmentForm, status: int = 200) -> Any:
    session = reader()
    current = rules.current_rules(session)
    body = render_template(
        "admin/points.html", kinds=[(kind, label, current[kind]) for kind, label, _ in rules.KINDS],
        history=rules.history(session, 30), labels=rules.LABELS, form=segment_form,
        all_tags=tags.all_tags(session), cohorts=directory.cohorts(session),
        survey_options=survey_segments.form_options(session), product_options=review_segments.form_options(session),
        operation=service.new_operation(), state=session.get(PointsJobState, 1))
    return body, status


@bp.get("/points")
@requires(Permission.POINTS)
def points() -> Any:
    return _page(SegmentForm())


@bp.post("/points/rules/<kind>")
@requires(Permission.POINTS)
def point_rule(kind: str) -> Any:
    if kind not in rules.LABELS:
        return forms.or_404(None)
    try:
        amount = _number("amount", "ポイント", optional=False)
        cap = _number("daily_cap", "1日の上限", optional=True)
        months = _number("expiry_months", "有効期限（か月）", optional=True)
        assert amount is not None
        before, after = rules.set_rule(db(), kind, amount, cap, months, security.actor().email)
    except (BadNumber, rules.RuleError) as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.points"), 303)
    audit.record(db(), security.actor(), "points.rule", "point_rule", kind,
                 before={"amount": before.amount, "daily_cap": before.daily_cap,
                         "expiry_months": before.expiry_months, "version": before.version},
                 after={"amount": after.amount, "daily_cap": after.daily_cap,
                        "expiry_months": after.expiry_months, "version": after.version})
    commit()
    flash(copy.RULE_SAVED.format(label=rules.LABELS[kind]), "info")
    return redirect(url_for("admin.points"), 303)


@bp.post("/points/grant")
@requires(Permission.POINTS)
def point_grant_segment() -> Any:
    form = SegmentForm.read(request.form)
    operation = (request.form.get("operation") or "")[:64]
    try:
        amount = _number("amount", "ポイント", optional=False)
        assert amount is not None
        if not operation.isalnum():
            raise BadNumber(copy.BAD_SEGMENT)
        segment = form.segment()
        made = service.grant_to_segment(db(), segment, amount, request.form.get("reason", ""), operation,
                                        security.actor().email)
    except (BadNumber, FormError, PushError, service.ManualError) as exc:
        db().rollback()
        flash(str(exc), "error")
        return _page(form, 422)
    if made:
        audit.record(db(), security.actor(), "points.grant_segment", "points_operation", operation,
                     after={"amount": amount, "reason": request.form.get("reason", "").strip()[:200],
                            "members": made, "segment": segment_summary(form)})
    commit()
    done = (copy.MANUAL_GRANTED.format(count=made, amount=amount) if amount > 0
            else copy.MANUAL_DEDUCTED.format(count=made, points=-amount))
    if not made:
        done = copy.MANUAL_REPEATED if service.operation_made(db(), operation) else copy.MANUAL_NOBODY
    flash(done, "info")
    return redirect(url_for("admin.points"), 303)


def segment_summary(form: SegmentForm) -> dict[str, Any]:
    return {k: v for k, v in vars(form).items() if v}


@bp.get("/points/members/<int:member_id>")
@requires(Permission.POINTS)
def point_member(member_id: int) -> Any:
    member = forms.or_404(reader().get(Member, member_id))
    return render_template("admin/points_member.html", member=member,
                           held=service.balance_of(reader(), member_id),
                           history=[(e, copy.describe(e.kind, e.action_kind, e.reason))
                                    for e in service.history(reader(), member_id, 50)],
                           operation=service.new_operation())


@bp.post("/points/members/<int:member_id>/grant")  # not the page's path: a crafted id must be 404, not 405
@requires(Permission.POINTS)
def point_member_grant(member_id: int) -> Any:
    forms.or_404(db().get(Member, member_id))
    operation = (request.form.get("operation") or "")[:64]
    reason = request.form.get("reason", "")
    try:
        amount = _number("amount", "ポイント", optional=False)
        assert amount is not None
        if not operation.isalnum():
            raise BadNumber(copy.BAD_SEGMENT)
        made = service.grant_manual(db(), member_id, amount, reason, operation, security.actor().email)
    except (BadNumber, service.ManualError) as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.point_member", member_id=member_id), 303)
    if made:
        audit.record(db(), security.actor(), "points.grant_member", "member", member_id,
                     after={"amount": amount, "reason": reason.strip()[:200], "operation": operation})
    commit()
    flash(copy.MANUAL_ONE.format(amount=amount) if made else copy.MANUAL_REPEATED, "info")
    return redirect(url_for("admin.point_member", member_id=member_id), 303)

