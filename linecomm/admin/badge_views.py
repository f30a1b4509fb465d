"""Badges in the console (marketers and owners, Permission.POINTS): switch the declarative badges on and off
and edit their name, description and threshold; create manual badges (a name, a description, an emoji or a
colour); award and revoke a badge to one member with a reason, from the member's page. Every change is
audit-logged. Title badges (公認アンバサダー, コミュニティモデレーター) are awarded by their feature and only
listed here."""
from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.points import badge_copy as copy
from linecomm.points import badges
from linecomm.points.badge_models import BadgeJobState, BadgeKind
from linecomm.staff.roles import Permission

CODE = re.compile(r"[a-z0-9_-]{1,40}")


def _code(value: str | None) -> str:
    code = (value or "").strip()
    if not CODE.fullmatch(code):
        raise badges.BadgeError(copy.UNKNOWN_BADGE)
    return code


@bp.get("/badges")
@requires(Permission.POINTS)
def badges_page() -> Any:
    session = reader()
    catalogue = badges.catalogue(session)
    return render_template(
        "admin/badges.html", declarative=[b for b in catalogue if b.kind in (BadgeKind.COUNT, BadgeKind.STREAK)],
        titles=[b for b in catalogue if b.kind == BadgeKind.TITLE],
        manual=[b for b in catalogue if b.kind == BadgeKind.MANUAL], holders=badges.holder_counts(session),
        action_labels=copy.action_labels(), kinds=BadgeKind, state=session.get(BadgeJobState, 1))


@bp.post("/badges/new")
@requires(Permission.POINTS)
def badge_create() -> Any:
    form = request.form
    try:
        badge = badges.create_manual(db(), form.get("name", ""), form.get("description", ""), form.get("emoji", ""),
                                     form.get("colour", ""), security.actor().email, utcnow())
    except badges.BadgeError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.badges_page"), 303)
    audit.record(db(), security.actor(), "badges.create", "badge", badge.code, after=badges.snapshot(badge))
    commit()
    flash(copy.CREATED.format(name=badge.name), "info")
    return redirect(url_for("admin.badges_page"), 303)


@bp.post("/badges/<code>/edit")
@requires(Permission.POINTS)
def badge_edit(code: str) -> Any:
    form = request.form
    try:
        code = _code(code)
        threshold = forms.int_arg(form.get("threshold"), minimum=0, maximum=100_000)
        if form.get("threshold") is not None and threshold is None:
            raise badges.BadgeError(copy.BAD_THRESHOLD)
        before, after = badges.edit(db(), code, name=form.get("name", ""), description=form.get("description", ""),
                                    enabled=form.get("enabled") == "1", threshold=threshold,
                                    emoji=form.get("emoji", ""), colour=form.get("colour", ""), now=utcnow())
    except badges.BadgeError as exc:
        db().rollback()
        if str(exc) == copy.UNKNOWN_BADGE:
            return forms.or_404(None)
        flash(str(exc), "error")
        return redirect(url_for("admin.badges_page"), 303)
    audit.record(db(), security.actor(), "badges.edit", "badge", code, before=before, after=after)
    commit()
    flash(copy.SAVED.format(name=after["name"]), "info")
    return redirect(url_for("admin.badges_page"), 303)


def _change(member_id: int, action: str) -> Any:
    forms.or_404(db().get(Member, member_id))
    reason = request.form.get("reason", "")
    back = redirect(url_for("admin.member", member_id=member_id, _anchor="badges"), 303)
    try:
        code = _code(request.form.get("code"))
        badge = badges.badge_by_code(db(), code)
        if badge is None:
            raise badges.BadgeError(copy.UNKNOWN_BADGE)
        if badge.kind == BadgeKind.TITLE:
            raise badges.BadgeError(copy.TITLE_ELSEWHERE)
        change = badges.award if action == "award" else badges.revoke
        changed = change(db(), member_id, code, by=security.actor().email, reason=reason, now=utcnow())
    except badges.BadgeError as exc:
        db().rollback()
        flash(str(exc), "error")
        return back
    if changed:
        audit.record(db(), security.actor(), f"badges.{action}", "member", member_id,
                     after={"badge": code, "name": badge.name, "reason": reason.strip()[:200]})
    commit()
    done = copy.AWARDED if action == "award" else copy.REVOKED
    flash((done if changed else copy.UNCHANGED).format(name=badge.name), "info")
    return back


@bp.post("/badges/members/<int:member_id>/award")
@requires(Permission.POINTS)
def badge_award(member_id: int) -> Any:
    return _change(member_id, "award")


@bp.post("/badges/members/<int:member_id>/revoke")
@requires(Permission.POINTS)
def badge_revoke(member_id: int) -> Any:
    return _change(member_id, "revoke")


def _member_badges(member_id: int) -> dict[str, Any]:
    """For the member's page (templates/admin/_member_badges.html): their badge rows, revoked ones too,
    and the badges a marketer can award by hand."""
    session = reader()
    held = badges.held_rows(session, member_id)
    holding = {b.id for b, mb in held if mb.revoked_at is None}
    awardable = [b for b in badges.catalogue(session)
                 if b.kind == BadgeKind.MANUAL and b.enabled and b.id not in holding]
    return {"held": held, "awardable": awardable, "title": BadgeKind.TITLE}


@bp.context_processor
def _badges_context() -> dict[str, Any]:
    return {"member_badges": _member_badges}
