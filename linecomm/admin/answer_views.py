"""Members' answers to a theme post (with their moderation state), poll results and reaction counts,
featuring an answer for 「みなさんの声」 in the next post, and the photos members sent as answers."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from linecomm.admin import forms, labels, security
from linecomm.admin.blueprint import bp, commit, db, write
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.line.client import LineError
from linecomm.moderation.models import ContentState
from linecomm.staff.roles import Permission
from linecomm.themes import export, jobs, reactions
from linecomm.themes import service as themes
from linecomm.themes.models import ImageStatus, ThemePost
from linecomm.web_runtime import get_runtime

PAGE = 50
STATES = (ContentState.PUBLISHED, ContentState.HELD, ContentState.HIDDEN, ContentState.BLOCKED)


@bp.get("/posts/<int:post_id>/answers")
@requires(Permission.THEMES)
def post_answers(post_id: int) -> Any:
    post = forms.or_404(db().get(ThemePost, post_id))
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    rows = themes.answers_of(db(), post.id, state or None, before_id=forms.int_arg(request.args.get("before")),
                             limit=PAGE + 1)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template(
        "admin/post_answers.html", post=post, rows=rows, state=state, states=STATES,
        counts=themes.answer_counts(db(), [post.id]).get(post.id, {}),
        poll=reactions.poll_results(db(), post) if post.choice_kind == "poll" else None,
        reactions=reactions.reaction_counts(db(), post) if post.choice_kind == "reactions" else None,
        next_before=rows[-1].answer.id if more and rows else None,
    )


@bp.get("/posts/<int:post_id>/answers.csv")
@requires(Permission.THEMES)
def post_answers_csv(post_id: int) -> Any:
    """The post's answers as a CSV download, written while it is read (a large post is never loaded whole)."""
    forms.or_404(db().get(ThemePost, post_id))
    with write() as session:
        audit.record(session, security.actor(), "answer.export", "theme_post", post_id, after={"format": "csv"})
    readers = get_runtime().readers  # the body is streamed after this request's own session is closed

    def body() -> Iterator[bytes]:
        with readers() as reader:
            post = reader.get(ThemePost, post_id)
            if post is not None:
                for piece in export.answers_csv(reader, post, labels.CONTENT_STATE):
                    yield piece.encode("utf-8")

    return Response(body(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=theme-post-{post_id}-answers.csv"})


@bp.post("/answers/<int:answer_id>/feature")
@requires(Permission.THEMES)
def answer_feature(answer_id: int) -> Any:
    row = forms.or_404(themes.get_answer(db(), answer_id))
    op = request.form.get("op", "feature")
    try:
        if op == "feature":
            themes.feature(db(), answer_id, security.actor().staff_id, utcnow())
            message = "回答をピックアップしました。次のテーマ投稿の作成画面で「みなさんの声」に入れられます。"
        elif op == "unfeature":
            themes.unfeature(db(), answer_id)
            message = "ピックアップを外しました。"
        else:
            abort(400, "操作の指定が正しくありません。")
    except themes.ThemeError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.post_answers", post_id=row.answer.post_id), 303)
    audit.record(db(), security.actor(), f"answer.{op}", "theme_answer", answer_id,
                 after={"post_id": row.answer.post_id, "content_id": row.item.id})
    commit()
    flash(message, "info")
    return redirect(url_for("admin.post_answers", post_id=row.answer.post_id) + f"#answer-{answer_id}", 303)


@bp.get("/answers/<int:answer_id>/image")
@requires(Permission.THEMES)
def answer_image(answer_id: int) -> Any:
    return photo_response(answer_id)


def photo_response(answer_id: int) -> Response:
    """The photo a member sent as an answer (also shown in the moderation queue); fetched from LINE now
    if the background job has not stored it yet. 404 when erased or LINE no longer has it."""
    row = forms.or_404(themes.get_answer(db(), answer_id))
    if row.item.redacted_at is not None or row.answer.image_status is None:
        abort(404)
    if row.answer.image_status == ImageStatus.PENDING:
        rt = get_runtime()
        try:
            jobs.fetch_and_store(rt.line, rt.sessions, answer_id)
        except LineError:
            abort(404)
        db().rollback()  # end the read snapshot taken before the fetch (SQLite), so the stored image is seen
    image = forms.or_404(themes.image_of(db(), answer_id))
    return Response(image.data, mimetype=image.content_type,
                    headers={"Content-Disposition": f"inline; filename=answer-{answer_id}"})
