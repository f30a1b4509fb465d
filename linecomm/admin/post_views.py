"""Theme posts: list, compose and edit (with 「みなさんの声」 from featured answers), a preview drawn like a
LINE chat, the live recipient count, the cost against the month's quota, test send, schedule (now, at a
Japan time, weekly, monthly) and cancel. The themes services keep the rules; these views parse, call it,
record the audit row, commit, and only then wake the scheduler."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, jsonify, make_response, redirect, render_template, request, url_for

from linecomm.admin import forms, push_labels, security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.post_forms import SEGMENT_FIELDS, PostForm, ScheduleForm
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.line.client import Quota
from linecomm.members import directory, tags
from linecomm.pushes import copy as push_copy
from linecomm.pushes import jobs
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import PushError
from linecomm.pushes.progress import progress
from linecomm.pushes.schedule import WEEKDAY_LABELS
from linecomm.pushes.segments import measure, segment_problems, unknown_tags
from linecomm.reviews import segments as review_segments
from linecomm.staff.roles import Permission
from linecomm.surveys import segments as survey_segments
from linecomm.text.quotes import quoted
from linecomm.themes import overview, reactions, scheduling
from linecomm.themes import posts as theme_posts
from linecomm.themes import service as themes
from linecomm.themes.content import build_messages, check_content
from linecomm.themes.models import PostStatus, ThemePost
from linecomm.timezones import format_jst
from linecomm.web_runtime import get_runtime

PAGE = 30
# The preview shows the post's image from its own HTTPS host; everything else keeps the console's policy.
PREVIEW_CSP = security.CSP.replace("img-src 'self' data:", "img-src 'self' data: https:")


def _with_preview_images(body: str, status: int = 200) -> Any:
    response = make_response(body, status)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response


def _audit_post(post: ThemePost) -> dict[str, Any]:
    return {"title": post.title, "segment": post.segment, "choice_kind": post.choice_kind,
            "answers_open_at": post.answers_open_at, "answers_close_at": post.answers_close_at,
            "answer_mode": post.answer_mode, "image": bool(post.image_url)}


@bp.get("/posts")
@requires(Permission.PUSHES)
def posts() -> Any:
    lines = overview.posts(db(), before_id=forms.int_arg(request.args.get("before")), limit=PAGE + 1)
    more = len(lines) > PAGE
    lines = lines[:PAGE]
    counts = themes.answer_counts(db(), [line.post.id for line in lines])
    return render_template("admin/posts.html", lines=lines, counts=counts,
                           next_before=lines[-1].post.id if more and lines else None)


def _compose_page(form: PostForm, post: ThemePost | None, messages: list[dict[str, Any]] | None,
                  status: int = 200) -> Any:
    """The compose (or edit) page: the form, the live count, the cost, and the preview when asked."""
    quota = push_labels.quota_or_none(get_runtime().line)
    policy = policies.read(reader())
    quiet = policies.quiet_hours(policy)
    now = utcnow()
    try:
        audience = measure(reader(), form.segment(), policy.weekly_cap, now)
    except PushError:
        audience = None
    body = render_template(
        "admin/post_form.html", form=form, post=post, messages=messages, audience=audience, quota=quota,
        policy=policy, quiet_label=quiet.label(), quiet_release=quiet.release(now) if quiet.contains(now) else None,
        all_tags=tags.all_tags(reader()), cohorts=sorted(set(directory.cohorts(reader())) | set(form.cohort)),
        voices=themes.featured_voices(reader()), segment_fields=SEGMENT_FIELDS, now=now,
        survey_options=survey_segments.form_options(reader()), product_options=review_segments.form_options(reader()),
        no_answer_window=push_copy.no_answer_window(),
    )
    return _with_preview_images(body, status)


def _preview_messages(form: PostForm, post_id: int) -> tuple[Any, list[dict[str, Any]]]:
    """The draft and its LINE messages as they would go out (checked against LINE's limits). Reads only:
    a form's write transaction begins with its first write."""
    voices = themes.pick_voices(reader(), form.voices)
    draft = form.draft(themes.voices_block(voices))
    check_content(draft.text, draft.image_url, draft.choice_kind, list(draft.choices))
    missing = unknown_tags(reader(), draft.segment)
    if missing:
        raise PushError("存在しないタグが指定されています: " + "、".join(missing))
    problems = segment_problems(reader(), draft.segment)
    if problems:
        raise PushError(" ".join(problems))
    return draft, build_messages(post_id, draft.text, draft.image_url, draft.choice_kind, list(draft.choices))


@bp.route("/posts/new", methods=["GET", "POST"])
@requires(Permission.PUSHES)
def post_new() -> Any:
    if request.method == "GET":
        return _compose_page(PostForm(), None, None)
    form = PostForm.read(request.form)
    try:
        draft, messages = _preview_messages(form, 0)
        if request.form.get("action") == "preview":
            return _compose_page(form, None, messages)
        post = theme_posts.create_post(db(), draft, created_by=security.actor().email)
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return _compose_page(form, None, None, 400)
    themes.mark_quoted(db(), form.voices, post.id)
    audit.record(db(), security.actor(), "post.create", "theme_post", post.id,
                 after=_audit_post(post) | {"voices": form.voices})
    commit()
    flash(f"下書き{quoted(post.title)}を保存しました。プレビューと配信対象を確かめて、配信を予約してください。", "info")
    if post.answers_open_at is None:
        flash(push_copy.no_answer_window(), "info")
    return redirect(url_for("admin.post_detail", post_id=post.id), 303)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@requires(Permission.PUSHES)
def post_edit(post_id: int) -> Any:
    post = forms.or_404(reader().get(ThemePost, post_id))
    if post.status not in PostStatus.EDITABLE:
        flash("配信が始まった投稿は編集できません。", "error")
        return redirect(url_for("admin.post_detail", post_id=post.id), 303)
    if request.method == "GET":
        return _compose_page(PostForm.of(post), post, None)
    form = PostForm.read(request.form)
    before = _audit_post(post)
    try:
        draft, messages = _preview_messages(form, post.id)
        if request.form.get("action") == "preview":
            return _compose_page(form, post, messages)
        post = theme_posts.update_post(db(), post.id, draft)
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return _compose_page(form, post, None, 400)
    themes.mark_quoted(db(), form.voices, post.id)
    audit.record(db(), security.actor(), "post.update", "theme_post", post.id, before=before,
                 after=_audit_post(post) | {"voices": form.voices})
    commit()
    flash("投稿を保存しました。", "info")
    if post.answers_open_at is None:
        flash(push_copy.no_answer_window(), "info")
    return redirect(url_for("admin.post_detail", post_id=post.id), 303)


@bp.get("/posts/count.json")
@requires(Permission.PUSHES)
def post_count() -> Any:
    """The live recipient count while the segment is edited: matched, over the weekly cap, billable."""
    form = PostForm.read(request.args)
    try:
        segment = form.segment()
        missing = unknown_tags(db(), segment)
        if missing:
            raise PushError("存在しないタグが指定されています: " + "、".join(missing))
        problems = segment_problems(db(), segment)
        if problems:
            raise PushError(" ".join(problems))
    except PushError as exc:
        return jsonify(error=str(exc)), 400
    policy = policies.read(db())
    audience = measure(db(), segment, policy.weekly_cap, utcnow())
    return jsonify(matched=audience.matched, over_cap=audience.over_cap, billable=audience.billable,
                   segment=segment.describe(db()), weekly_cap=policy.weekly_cap)


@bp.get("/posts/<int:post_id>")
@requires(Permission.PUSHES)
def post_detail(post_id: int) -> Any:
    quota = push_labels.quota_or_none(get_runtime().line)
    post = forms.or_404(db().get(ThemePost, post_id))
    preview = theme_posts.preview(db(), post.id, quota or Quota(None, 0))
    deliveries = overview.deliveries_of(db(), post.id)
    latest = next((d for d in deliveries if d.kind == "post"), None)
    body = render_template(
        "admin/post.html", post=post, preview=preview, quota=quota, deliveries=deliveries, latest=latest,
        latest_progress=push_labels.progress_json(progress(db(), latest.id)) if latest else None,
        counts=themes.answer_counts(db(), [post.id]).get(post.id, {}), taps=reactions.tap_count(db(), post),
        schedule=ScheduleForm(),
        weekdays=WEEKDAY_LABELS, recipients=policies.test_recipients(db()), editable=post.status in PostStatus.EDITABLE,
    )
    return _with_preview_images(body)


@bp.get("/posts/<int:post_id>/progress.json")
@requires(Permission.PUSHES)
def post_progress(post_id: int) -> Any:
    """The post's status and its latest delivery's live numbers (null until the scheduler opens it)."""
    post = forms.or_404(db().get(ThemePost, post_id))
    latest = overview.latest_delivery(db(), post.id)
    numbers = progress(db(), latest.id) if latest else None
    return jsonify(post_status=post.status, post_status_label=push_labels.post_status(post.status),
                   delivery=push_labels.progress_json(numbers) if numbers else None,
                   delivery_url=url_for("admin.delivery", delivery_id=latest.id) if latest else None)


@bp.post("/posts/<int:post_id>/schedule")
@requires(Permission.PUSHES)
def post_schedule(post_id: int) -> Any:
    post = forms.or_404(reader().get(ThemePost, post_id))  # the write begins after LINE has answered
    schedule = ScheduleForm.read(request.form)
    rt = get_runtime()
    try:
        plan = schedule.plan()
        quota = push_labels.quota_or_none(rt.line)
        if quota is None:
            raise PushError("LINEから今月の残り配信可能数を取得できなかったため、予約しませんでした。"
                            "時間をおいてもう一度お試しください。")
        result = scheduling.schedule_post(db(), post.id, plan, quota)
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.post_detail", post_id=post_id), 303)
    audit.record(db(), security.actor(), "post.schedule", "theme_post", post.id, after={
        "kind": plan.kind, "starts_at": result.starts_at, "weekday": plan.weekday, "day_of_month": plan.day_of_month,
        "time_of_day": plan.time_of_day, "recipients": result.cost.sendable, "allow_partial": plan.allow_partial})
    commit()
    jobs.wake_scheduler(rt, result.starts_at)  # after commit: the scheduler must find the post scheduled
    flash(_scheduled_message(plan.kind, result.starts_at, result.cost.sendable), "info")
    for note in result.notes:
        flash(note, "info")
    return redirect(url_for("admin.post_detail", post_id=post.id), 303)


def _scheduled_message(kind: str, starts_at: datetime, recipients: int) -> str:
    when = format_jst(starts_at)
    if kind == "now":
        return f"配信を開始します（{recipients:,}人、開始 {when}）。下の進み具合でご確認ください。"
    if kind == "once":
        return f"{when} に配信を予約しました（現時点の対象 {recipients:,}人）。"
    return f"繰り返し配信を予約しました。初回は {when} です（現時点の対象 {recipients:,}人）。"


@bp.post("/posts/<int:post_id>/cancel")
@requires(Permission.PUSHES)
def post_cancel(post_id: int) -> Any:
    forms.or_404(db().get(ThemePost, post_id))
    try:
        post = theme_posts.cancel_post(db(), post_id)
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.post_detail", post_id=post_id), 303)
    audit.record(db(), security.actor(), "post.cancel", "theme_post", post.id, after={"status": post.status})
    commit()
    flash(f"{quoted(post.title)}の配信を取り消しました。", "info")
    return redirect(url_for("admin.post_detail", post_id=post.id), 303)


@bp.post("/posts/<int:post_id>/test")
@requires(Permission.PUSHES)
def post_test(post_id: int) -> Any:
    forms.or_404(db().get(ThemePost, post_id))
    try:
        delivery = theme_posts.test_send(db(), post_id, batch_size=get_runtime().settings.push_batch_size)
    except PushError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.post_detail", post_id=post_id), 303)
    audit.record(db(), security.actor(), "post.test", "theme_post", post_id,
                 after={"delivery_id": delivery.id, "recipients": delivery.recipients})
    commit()  # the send starts after this commit
    flash(f"スタッフ{delivery.recipients}人のLINEにテスト配信しました。表示をご確認ください。", "info")
    return redirect(url_for("admin.post_detail", post_id=post_id), 303)
