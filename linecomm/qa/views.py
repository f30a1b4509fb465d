"""Members' Q&A pages (LIFF): the questions (open / solved, by category, search, keyset pages) with the FAQ
search, asking, one question with its answers (best first, 公式 marked) and the answer form, choosing the
best answer (the asker only), and the FAQ. Ids in URLs name questions and answers only; who acts is always
the signed-in member (linecomm.liff.access). Parsing here, rules in linecomm.qa.service."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.liff.access import SignedInMember, commit, db, member_action, member_page
from linecomm.liff.sections import register_my_page_section
from linecomm.moderation.models import ContentState
from linecomm.qa import copy, faq, notices, service
from linecomm.qa.models import QaFaq
from linecomm.web_runtime import get_runtime

bp = Blueprint("liff_qa", __name__, url_prefix="/liff/qa")
ID_MAX = 2**31 - 1


def _id_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 10 and int(raw) <= ID_MAX else None


def _filters() -> dict[str, Any]:
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    return {"status": status if status in ("open", "solved") else "",
            "category": category if category in copy.CATEGORIES else "",
            "q": request.args.get("q", "")[:100]}


@bp.get("", strict_slashes=False)
@member_page
def index(member: SignedInMember) -> Any:
    f = _filters()
    rows = service.questions(db(), status=f["status"] or None, category=f["category"] or None, query=f["q"],
                             before_id=_id_arg("before"), limit=service.PAGE + 1)
    more = len(rows) > service.PAGE
    rows = rows[:service.PAGE]
    faqs = faq.search(db(), f["q"], f["category"] or None, limit=5) if f["q"] else []
    return render_template("liff/qa.html", rows=rows, faqs=faqs, f=f, copy=copy,
                           next_before=rows[-1].question.id if more and rows else None,
                           nicknames=service.askers(db(), rows),
                           can_post=member.can_post)


def _form_page(member: SignedInMember, values: dict[str, str], errors: dict[str, str], message: str | None = None,
               status: int = 200) -> Any:
    return render_template("liff/qa_new.html", values=values, errors=errors, message=message, copy=copy,
                           can_post=member.can_post), status


@bp.get("/new")
@member_page
def new(member: SignedInMember) -> Any:
    return _form_page(member, {}, {})


@bp.post("/new")
@member_action
def ask(member: SignedInMember) -> Any:
    values = {k: request.form.get(k, "")[:5000] for k in ("title", "body", "category")}
    posted = service.ask(db(), member.member_id, values["title"], values["body"], values["category"], utcnow())
    if posted.errors:
        db().rollback()
        return _form_page(member, values, posted.errors, copy.FORM_HAS_ERRORS, 422)
    commit()
    if posted.state == ContentState.PUBLISHED and posted.question is not None:
        return redirect(url_for("liff_qa.question", question_id=posted.question.id, asked=1), 303)
    if posted.state == ContentState.HELD:
        return _form_page(member, {}, {}, copy.HELD)
    return _form_page(member, values, {}, copy.BLOCKED, 422)


def _question_page(session: Session, member: SignedInMember, question_id: int, *, body: str = "",
                   errors: dict[str, str] | None = None, notice: str | None = None, status: int = 200) -> Any:
    question = service.visible_question(session, question_id)
    if question is None:
        abort(404, copy.NOT_FOUND)
    answers = service.answers_of(session, question.id)
    return render_template(
        "liff/qa_question.html", question=question, answers=answers, copy=copy, body=body, errors=errors or {},
        notice=notice, asker=service.nickname_of(session, question.member_id),
        is_asker=question.member_id == member.member_id, can_post=member.can_post,
        solved=any(s.answer.is_best for s in answers),
    ), status


@bp.get("/<int:question_id>")
@member_page
def question(question_id: int, member: SignedInMember) -> Any:
    notice = None
    if request.args.get("asked"):
        notice = copy.ASKED
    elif request.args.get("answered"):
        notice = copy.ANSWERED
    elif request.args.get("best"):
        notice = copy.BEST_CHOSEN
    return _question_page(db(), member, question_id, notice=notice)


def _json_error(message: str, status: int) -> Any:
    response = jsonify(error=message)
    response.status_code = status
    return response


@bp.post("/<int:question_id>/answers")
@member_action
def answer(question_id: int, member: SignedInMember) -> Any:
    body = request.form.get("body", "")[:5000]
    now = get_runtime().clock()  # the jobs' clock: tests move it through notice windows and quiet hours
    try:
        posted = service.answer(db(), question_id, member.member_id, body, now)
    except service.QaError as exc:
        db().rollback()
        return _json_error(str(exc), exc.status)
    if posted.errors:
        db().rollback()
        return _question_page(db(), member, question_id, body=body, errors=posted.errors, status=422)
    notice = None
    if posted.state == ContentState.PUBLISHED and posted.question and posted.answer:
        settings = get_runtime().settings
        notice = notices.tell_asker(db(), posted.question, posted.answer, liff_id=settings.liff_id, now=now,
                                    window_minutes=settings.qa_notice_window_minutes)
        notices.send_after_commit(db(), notice)
    commit()
    if posted.state == ContentState.PUBLISHED:
        return redirect(url_for("liff_qa.question", question_id=question_id, answered=1), 303)
    message = copy.HELD if posted.state == ContentState.HELD else copy.BLOCKED
    return _question_page(db(), member, question_id, body="" if posted.state == ContentState.HELD else body,
                          notice=message, status=200 if posted.state == ContentState.HELD else 422)


@bp.post("/<int:question_id>/best")
@member_action
def best(question_id: int, member: SignedInMember) -> Any:
    raw = request.form.get("answer_id", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
        return _json_error(copy.ANSWER_NOT_FOUND, 400)
    try:
        service.choose_best(db(), question_id, int(raw), by_member_id=member.member_id, now=utcnow())
    except service.QaError as exc:
        db().rollback()
        return _json_error(str(exc), exc.status)
    commit()
    return redirect(url_for("liff_qa.question", question_id=question_id, best=1), 303)


@bp.get("/faq")
@member_page
def faq_index(member: SignedInMember) -> Any:
    f = _filters()
    rows = faq.search(db(), f["q"], f["category"] or None, before_id=_id_arg("before"), limit=21)
    more = len(rows) > 20
    rows = rows[:20]
    return render_template("liff/qa_faq.html", rows=rows, f=f, copy=copy,
                           next_before=rows[-1].id if more and rows else None)


@bp.get("/faq/<int:faq_id>")
@member_page
def faq_entry(faq_id: int, member: SignedInMember) -> Any:
    entry = db().get(QaFaq, faq_id)
    if entry is None:
        abort(404, copy.FAQ_NOT_FOUND)
    return render_template("liff/qa_faq_entry.html", entry=entry, copy=copy)


def my_questions(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    """My page's 「わたしの質問と回答」: my questions (with their state) and the questions I answered."""
    asked, answered = service.mine(session, member.member_id)
    return {"asked": asked, "answered": answered, "copy": copy}


register_my_page_section("qa", 40, "liff/qa_my.html", my_questions)
