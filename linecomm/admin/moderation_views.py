"""The moderation queue (approve, hide, warn, suspend), with the photos members sent, and sanctions from a
member's page."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.answer_views import photo_response
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.members.models import Member
from linecomm.moderation import sanctions, seams
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ReviewReason
from linecomm.staff.roles import Permission
from linecomm.themes import service as themes
from linecomm.uploads.serving import photo_response as uploaded_photo_response

REASONS = (ReviewReason.HELD, ReviewReason.PERSONAL_DATA, ReviewReason.IMAGE, ReviewReason.FLAGGED,
           ReviewReason.REPORTED, ReviewReason.FARMING)
PAGE = 30


@bp.get("/moderation")
@requires(Permission.MODERATION)
def moderation_queue() -> Any:
    reason = request.args.get("reason", "")
    reason = reason if reason in REASONS else ""
    entries = moderation.queue(db(), reason or None, before_id=forms.int_arg(request.args.get("before")),
                               limit=PAGE + 1)
    more = len(entries) > PAGE
    entries = entries[:PAGE]
    return render_template("admin/moderation.html", entries=entries, reason=reason, reasons=REASONS,
                           next_before=entries[-1].item.id if more and entries else None,
                           terms=moderation.verdict_terms, personal=moderation.personal_data_labels,
                           photos=themes.image_answers_for(db(), [e.item.id for e in entries]),
                           attached=seams.attached_photos(db(), [e.item for e in entries]),
                           ref_posts=themes.posts_by_ref(db(), [e.item.ref for e in entries]))


@bp.get("/moderation/<int:content_id>")
@requires(Permission.MODERATION)
def moderation_item(content_id: int) -> Any:
    item = forms.or_404(db().get(ContentItem, content_id))
    member = db().get(Member, item.member_id) if item.member_id else None
    return render_template("admin/moderation_item.html", item=item, member=member,
                           history=moderation.history(db(), item.id), reports=moderation.reports_of(db(), item.id),
                           terms=moderation.verdict_terms(item), personal=moderation.personal_data_labels(item),
                           photo=themes.image_answers_for(db(), [item.id]).get(item.id),
                           attached=seams.attached_photos(db(), [item]).get(item.id),
                           ref_posts=themes.posts_by_ref(db(), [item.ref]))


@bp.get("/moderation/<int:content_id>/image")
@requires(Permission.MODERATION)
def moderation_image(content_id: int) -> Any:
    """The photo behind a content item, for the moderator deciding on it."""
    answer = forms.or_404(themes.image_answers_for(db(), [content_id]).get(content_id))
    return photo_response(answer.id)


@bp.get("/moderation/<int:content_id>/photo")
@requires(Permission.MODERATION)
def moderation_attached_photo(content_id: int) -> Any:
    """The uploaded photo sent with a content item (a review's, an idea's), for the moderator deciding."""
    item = forms.or_404(db().get(ContentItem, content_id))
    return uploaded_photo_response(db(), request, forms.or_404(seams.attached_photos(db(), [item]).get(item.id)),
                          cache_seconds=0)


@bp.post("/moderation/<int:content_id>/decide")
@requires(Permission.MODERATION)
def moderation_decide(content_id: int) -> Any:
    item = forms.or_404(db().get(ContentItem, content_id))
    action = request.form.get("action", "")
    reason = request.form.get("reason", "")
    if action in ("warn", "suspend") and not security.can(Permission.MEMBERS_SANCTION):
        abort(403, "この操作を行う権限がありません。")
    staff_id = security.actor().staff_id or 0
    try:
        if action == "approve":
            before, after = moderation.approve(db(), item, staff_id)
            audit.record(db(), security.actor(), "content.approve", "content", item.id,
                         before={"state": before}, after={"state": after})
            message = "投稿を承認しました。"
        elif action in ("hide", "warn", "suspend"):
            member = db().get(Member, item.member_id) if item.member_id else None
            if action != "hide" and member is None:
                abort(400, "投稿したメンバーが見つかりません。")
            before, after = moderation.hide(db(), item, staff_id, note=reason or None)
            audit.record(db(), security.actor(), "content.hide", "content", item.id,
                         before={"state": before}, after={"state": after})
            message = "投稿を非表示にしました。"
            if action == "warn" and member is not None:
                sanctions.warn(db(), member, reason, staff_id, content_id=item.id)
                audit.record(db(), security.actor(), "member.warn", "member", member.id,
                             after={"reason": reason, "content_id": item.id})
                message = "投稿を非表示にし、メンバーに警告を送りました。"
            elif action == "suspend" and member is not None:
                status = member.status
                sanctions.suspend(db(), member, reason, staff_id, content_id=item.id)
                audit.record(db(), security.actor(), "member.suspend", "member", member.id,
                             before={"status": status}, after={"status": member.status, "reason": reason,
                                                               "content_id": item.id})
                message = "投稿を非表示にし、メンバーを利用停止にしました。"
        else:
            abort(400, "操作の指定が正しくありません。")
    except moderation.ModerationError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.moderation_item", content_id=content_id), 303)
    commit()
    flash(message, "info")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/admin/moderation") else url_for("admin.moderation_queue"), 303)


@bp.post("/members/<int:member_id>/sanction")
@requires(Permission.MEMBERS_SANCTION)
def member_sanction(member_id: int) -> Any:
    member = forms.or_404(db().get(Member, member_id))
    action = request.form.get("action", "")
    reason = request.form.get("reason", "")
    staff_id = security.actor().staff_id
    status = member.status
    try:
        if action == "warn":
            sanctions.warn(db(), member, reason, staff_id)
            audit.record(db(), security.actor(), "member.warn", "member", member.id, after={"reason": reason})
            message = "メンバーに警告を送りました。"
        elif action == "suspend":
            sanctions.suspend(db(), member, reason, staff_id)
            audit.record(db(), security.actor(), "member.suspend", "member", member.id,
                         before={"status": status}, after={"status": member.status, "reason": reason})
            message = "メンバーを利用停止にしました。"
        elif action == "lift":
            sanctions.lift(db(), member, reason, staff_id)
            audit.record(db(), security.actor(), "member.unsuspend", "member", member.id,
                         before={"status": status}, after={"status": member.status})
            message = "利用停止を解除しました。"
        else:
            abort(400, "操作の指定が正しくありません。")
    except moderation.ModerationError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.member", member_id=member.id), 303)
    commit()
    flash(message, "info")
    return redirect(url_for("admin.member", member_id=member.id), 303)
