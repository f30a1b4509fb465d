"""Q&A in the console: questions (all, or unanswered for longer than `qa_unanswered_hours`), one question
with every answer and its moderation state, answering as the brand (公式), marking the best answer
(moderators), promoting a solved question to the FAQ and editing FAQ entries (marketers). Every change is
audit-logged; the rules are in linecomm.qa."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem
from linecomm.qa import copy, faq, notices, service
from linecomm.qa.models import QaAnswer, QaFaq, QaQuestion
from linecomm.staff.roles import Permission
from linecomm.web_runtime import get_runtime

PAGE = 30


@bp.get("/qa")
@requires(Permission.QA_READ)
def qa_questions() -> Any:
    view = "unanswered" if request.args.get("view") == "unanswered" else "all"
    before = forms.int_arg(request.args.get("before"))
    hours = get_runtime().settings.qa_unanswered_hours
    if view == "unanswered":
        since = get_runtime().clock() - timedelta(hours=hours)
        rows = [service.Listed(q, 0, False) for q in service.unanswered(db(), since, before_id=before, limit=PAGE + 1)]
    else:
        rows = service.questions(db(), before_id=before, limit=PAGE + 1)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    next_before = rows[-1].question.id if more and rows else None
    return render_template("admin/qa.html", rows=rows, view=view, hours=hours, copy=copy, next_before=next_before,
                           nicknames=service.askers(db(), rows))


def _question_page(question: QaQuestion, answer_body: str = "", errors: dict[str, str] | None = None,
                   draft: faq.FaqDraft | None = None, status: int = 200) -> Any:
    rows = db().execute(
        select(QaAnswer, Member.nickname, ContentItem.state)
        .outerjoin(Member, Member.id == QaAnswer.member_id)
        .outerjoin(ContentItem, ContentItem.id == QaAnswer.content_id)
        .where(QaAnswer.question_id == question.id).order_by(QaAnswer.is_best.desc(), QaAnswer.id)
    ).all()
    entry = db().scalar(select(QaFaq).where(QaFaq.question_id == question.id))
    draft = draft or faq.suggested(db(), question.id)
    return render_template("admin/qa_question.html", question=question, rows=rows, copy=copy, entry=entry,
                           draft=draft, answer_body=answer_body, errors=errors or {},
                           asker=service.nickname_of(db(), question.member_id),
                           state=db().scalar(select(ContentItem.state).where(ContentItem.id == question.content_id)),
                           visible=service.visible_question(db(), question.id) is not None), status


@bp.get("/qa/<int:question_id>")
@requires(Permission.QA_READ)
def qa_question(question_id: int) -> Any:
    return _question_page(forms.or_404(db().get(QaQuestion, question_id)))


@bp.post("/qa/<int:question_id>/answer")
@requires(Permission.QA_ANSWER)
def qa_brand_answer(question_id: int) -> Any:
    question = forms.or_404(db().get(QaQuestion, question_id))
    body = request.form.get("body", "")[:5000]
    actor, now = security.actor(), get_runtime().clock()
    try:
        posted = service.brand_answer(db(), question.id, actor.staff_id, body, now)
    except service.QaError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.qa_question", question_id=question.id), 303)
    if posted.errors or posted.answer is None:
        db().rollback()
        return _question_page(question, body, posted.errors, status=422)
    audit.record(db(), actor, "qa.brand_answer", "qa_question", question.id, after={"answer_id": posted.answer.id,
                                                                                   "body": posted.answer.body[:200]})
    settings = get_runtime().settings
    notices.send_after_commit(db(), notices.tell_asker(db(), question, posted.answer, liff_id=settings.liff_id,
                                                       now=now, window_minutes=settings.qa_notice_window_minutes))
    commit()
    flash("公式回答を投稿しました。", "info")
    return redirect(url_for("admin.qa_question", question_id=question.id), 303)


@bp.post("/qa/<int:question_id>/best")
@requires(Permission.MODERATION)
def qa_mark_best(question_id: int) -> Any:
    question = forms.or_404(db().get(QaQuestion, question_id))
    answer_id = forms.int_arg(request.form.get("answer_id"))
    try:
        if answer_id is None:
            raise service.QaError(copy.ANSWER_NOT_FOUND, 404)
        before, after = service.choose_best(db(), question.id, answer_id, by_staff=True, now=utcnow())
    except service.QaError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.qa_question", question_id=question.id), 303)
    audit.record(db(), security.actor(), "qa.best_answer", "qa_question", question.id,
                 before={"best_answer_id": before}, after={"best_answer_id": after})
    commit()
    flash("ベストアンサーを設定しました。", "info")
    return redirect(url_for("admin.qa_question", question_id=question.id), 303)


@bp.post("/qa/<int:question_id>/faq")
@requires(Permission.QA_FAQ)
def qa_promote(question_id: int) -> Any:
    question = forms.or_404(db().get(QaQuestion, question_id))
    draft = faq.FaqDraft.read(request.form.get("title", "")[:1000], request.form.get("body", "")[:10000],
                              request.form.get("category", ""))
    if draft.errors:
        return _question_page(question, draft=draft, status=422)
    try:
        entry = faq.promote(db(), question.id, draft, security.actor().staff_id, utcnow())
    except service.QaError as exc:
        db().rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.qa_question", question_id=question.id), 303)
    audit.record(db(), security.actor(), "qa.faq_promote", "qa_faq", entry.id,
                 after={"question_id": question.id, "title": entry.title, "category": entry.category})
    commit()
    flash("よくある質問に追加しました。", "info")
    return redirect(url_for("admin.qa_faq_list"), 303)


@bp.get("/qa/faq")
@requires(Permission.QA_READ)
def qa_faq_list() -> Any:
    rows = faq.search(db(), request.args.get("q", "")[:100], before_id=forms.int_arg(request.args.get("before")),
                      limit=PAGE + 1)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template("admin/qa_faq.html", rows=rows, copy=copy, q=request.args.get("q", "")[:100],
                           next_before=rows[-1].id if more and rows else None)


@bp.route("/qa/faq/<int:faq_id>", methods=["GET", "POST"])
@requires(Permission.QA_FAQ)
def qa_faq_edit(faq_id: int) -> Any:
    entry = forms.or_404(db().get(QaFaq, faq_id))
    if request.method == "GET":
        return render_template("admin/qa_faq_form.html", entry=entry, draft=faq.FaqDraft(
            entry.title, entry.body, entry.category), copy=copy)
    draft = faq.FaqDraft.read(request.form.get("title", "")[:1000], request.form.get("body", "")[:10000],
                              request.form.get("category", ""))
    if draft.errors:
        return render_template("admin/qa_faq_form.html", entry=entry, draft=draft, copy=copy), 422
    before = {"title": entry.title, "body": entry.body[:200], "category": entry.category}
    faq.update(db(), entry, draft, utcnow())
    audit.record(db(), security.actor(), "qa.faq_update", "qa_faq", entry.id, before=before,
                 after={"title": entry.title, "body": entry.body[:200], "category": entry.category})
    commit()
    flash("よくある質問を更新しました。", "info")
    return redirect(url_for("admin.qa_faq_list"), 303)
