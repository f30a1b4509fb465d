"""Members: list and search, detail, tags (one member or a filtered selection), APPI export and delete."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.members import directory, tags
from linecomm.members.models import Consent, InviteCode
from linecomm.moderation import sanctions
from linecomm.moderation import service as moderation
from linecomm.privacy import requests as privacy
from linecomm.staff.roles import Permission
from linecomm.themes import service as themes


@bp.get("/members")
@requires(Permission.MEMBERS_READ)
def members() -> Any:
    flt = forms.member_filter()
    page = directory.search(db(), flt, after=forms.int_arg(request.args.get("after")),
                            before=forms.int_arg(request.args.get("before")))
    return render_template(
        "admin/members.html", flt=flt, page=page, statuses=forms.MEMBER_STATUSES,
        all_tags=tags.all_tags(db()), cohorts=directory.cohorts(db()),
    )


@bp.get("/members/<int:member_id>")
@requires(Permission.MEMBERS_READ)
def member(member_id: int) -> Any:
    row = forms.or_404(directory.get(db(), member_id))
    consents = list(db().scalars(select(Consent).where(Consent.member_id == row.id).order_by(Consent.id)))
    code = db().get(InviteCode, row.invite_code_id) if row.invite_code_id else None
    posts = moderation.content_of(db(), row.id)
    return render_template(
        "admin/member.html", member=row, consents=consents, invite=code, tags=tags.of_member(db(), row.id),
        all_tags=tags.all_tags(db()), posts=posts, ref_posts=themes.posts_by_ref(db(), [p.ref for p in posts]),
        sanctions=sanctions.of_member(db(), row.id),
    )


@bp.post("/members/<int:member_id>/tags")
@requires(Permission.MEMBERS_TAG)
def member_tag_add(member_id: int) -> Any:
    row = forms.or_404(directory.get(db(), member_id))
    tag = forms.or_404(tags.get(db(), forms.int_arg(request.form.get("tag_id")) or 0))
    try:
        added = tags.assign(db(), row, tag)
    except tags.TagError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.member", member_id=row.id), 303)
    if added:
        audit.record(db(), security.actor(), "tag.assign", "member", row.id, after={"tag": tag.name})
        commit()
        flash(f"タグ「{tag.name}」を付けました。", "info")
    return redirect(url_for("admin.member", member_id=row.id), 303)


@bp.post("/members/<int:member_id>/tags/<int:tag_id>/remove")
@requires(Permission.MEMBERS_TAG)
def member_tag_remove(member_id: int, tag_id: int) -> Any:
    row = forms.or_404(directory.get(db(), member_id))
    tag = forms.or_404(tags.get(db(), tag_id))
    if tags.remove(db(), row, tag):
        audit.record(db(), security.actor(), "tag.remove", "member", row.id, before={"tag": tag.name})
        commit()
        flash(f"タグ「{tag.name}」を外しました。", "info")
    return redirect(url_for("admin.member", member_id=row.id), 303)


@bp.post("/members/bulk-tag")
@requires(Permission.MEMBERS_TAG)
def members_bulk_tag() -> Any:
    flt = forms.member_filter(request.form)
    tag = forms.or_404(tags.get(db(), forms.int_arg(request.form.get("tag_id")) or 0))
    scope = {"filter": flt.as_params(), "tag": tag.name}
    if request.form.get("op") == "remove":
        count = tags.remove_from_selection(db(), tag, flt)
        audit.record(db(), security.actor(), "tag.bulk_remove", "tag", tag.id, after={**scope, "members": count})
        flash(f"絞り込んだメンバー{count:,}人からタグ「{tag.name}」を外しました。", "info")
    else:
        count = tags.assign_to_selection(db(), tag, flt)
        audit.record(db(), security.actor(), "tag.bulk_assign", "tag", tag.id, after={**scope, "members": count})
        flash(f"絞り込んだメンバー{count:,}人にタグ「{tag.name}」を付けました。", "info")
    commit()
    return redirect(url_for("admin.members", **flt.as_params()), 303)


@bp.route("/tags", methods=["GET", "POST"])
@requires(Permission.MEMBERS_TAG)
def tag_list() -> Any:
    if request.method == "POST":
        try:
            tag = tags.create(db(), request.form.get("name", ""), created_by=security.actor().email)
        except tags.TagError as exc:
            flash(str(exc), "error")
        else:
            audit.record(db(), security.actor(), "tag.create", "tag", tag.id, after={"name": tag.name})
            commit()
            flash(f"タグ「{tag.name}」を作成しました。", "info")
            return redirect(url_for("admin.tag_list"), 303)
    return render_template("admin/tags.html", tags=tags.list_tags(db()))


@bp.post("/tags/<int:tag_id>/delete")
@requires(Permission.MEMBERS_TAG)
def tag_delete(tag_id: int) -> Any:
    tag = forms.or_404(tags.get(db(), tag_id))
    name = tag.name
    count = tags.delete_tag(db(), tag)
    audit.record(db(), security.actor(), "tag.delete", "tag", tag_id, before={"name": name, "members": count})
    commit()
    flash(f"タグ「{name}」を削除しました（{count:,}人から外れました）。", "info")
    return redirect(url_for("admin.tag_list"), 303)


@bp.post("/members/<int:member_id>/export")
@requires(Permission.MEMBERS_PRIVACY)
def member_export(member_id: int) -> Any:
    row = forms.or_404(directory.get(db(), member_id))
    fmt = "csv" if request.form.get("format") == "csv" else "json"
    data = privacy.export(db(), row)
    audit.record(db(), security.actor(), "member.export", "member", row.id, after={"format": fmt})
    commit()
    if fmt == "csv":
        body, mimetype = privacy.export_csv(data), "text/csv; charset=utf-8"
    else:
        body, mimetype = json.dumps(data, ensure_ascii=False, indent=2), "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=member-{row.id}.{fmt}"})


@bp.post("/members/<int:member_id>/delete")
@requires(Permission.MEMBERS_PRIVACY)
def member_delete(member_id: int) -> Any:
    row = forms.or_404(directory.get(db(), member_id))
    if request.form.get("confirm", "").strip() != str(row.id):
        flash("確認のためメンバーIDを正しく入力してください。削除は行っていません。", "error")
        return redirect(url_for("admin.member", member_id=row.id), 303)
    try:
        before = privacy.erase(db(), row)
    except ValueError:
        flash("このメンバーはすでに削除されています。", "error")
        return redirect(url_for("admin.member", member_id=row.id), 303)
    audit.record(db(), security.actor(), "member.delete", "member", row.id, before=before,
                 after={"status": row.status})
    commit()
    flash(f"メンバーID {row.id} の個人データを削除しました。", "info")
    return redirect(url_for("admin.member", member_id=row.id), 303)
