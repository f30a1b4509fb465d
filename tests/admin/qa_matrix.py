"""The Q&A routes in the role matrix (tests/admin/test_role_matrix.py): the rows they act on, and one case
per route. Every role reads Q&A and answers as the brand; moderators (and owners) mark best answers;
marketers (and owners) promote questions to the FAQ and edit it."""
from __future__ import annotations

from typing import Any

from linecomm.qa import faq, service
from tests.admin.console import Console, make_member

ALL = {"owner", "marketer", "moderator"}
MARKETING = {"owner", "marketer"}
MODERATION = {"owner", "moderator"}
WORLD_KEYS = ("qa_question", "qa_answer", "qa_solved", "qa_faq")


def world(console: Console) -> dict[str, Any]:
    """An open question with a member's answer, a solved question not in the FAQ yet, and a FAQ entry."""
    with console.community.session() as s:
        asker = make_member(s, nickname="しつもんさん")
        helper = make_member(s, nickname="こたえるさん")
        q = service.ask(s, asker.id, "お手入れの方法", "どう洗えばいいですか", "usage").question
        a = service.answer(s, q.id, helper.id, "ぬるま湯で手洗いしています").answer
        solved = service.ask(s, asker.id, "サイズ選び", "普段Mです", "product").question
        best = service.answer(s, solved.id, helper.id, "Mで大丈夫でした").answer
        service.choose_best(s, solved.id, best.id, by_member_id=asker.id)
        promoted = service.ask(s, asker.id, "送料について", "いくらですか", "order").question
        best2 = service.answer(s, promoted.id, helper.id, "5,000円以上で無料です").answer
        service.choose_best(s, promoted.id, best2.id, by_member_id=asker.id)
        entry = faq.promote(s, promoted.id, faq.FaqDraft("送料", "5,000円以上で無料です。", "order"), None)
        return {"qa_question": q.id, "qa_answer": a.id, "qa_solved": solved.id, "qa_faq": entry.id}


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    q, a, solved, entry = w["qa_question"], w["qa_answer"], w["qa_solved"], w["qa_faq"]
    form = {"title": "サイズの選び方", "body": "普段のサイズで大丈夫です。", "category": "product"}
    return [
        case("GET", "admin.qa_questions", "/admin/qa?view=unanswered", ALL),
        case("GET", "admin.qa_question", f"/admin/qa/{q}", ALL),
        case("POST", "admin.qa_brand_answer", f"/admin/qa/{q}/answer", ALL, {"body": "公式の回答です"}),
        case("POST", "admin.qa_mark_best", f"/admin/qa/{q}/best", MODERATION, {"answer_id": str(a)}),
        case("POST", "admin.qa_promote", f"/admin/qa/{solved}/faq", MARKETING, form),
        case("GET", "admin.qa_faq_list", "/admin/qa/faq", ALL),
        case("GET", "admin.qa_faq_edit", f"/admin/qa/faq/{entry}", MARKETING),
        case("POST", "admin.qa_faq_edit", f"/admin/qa/faq/{entry}", MARKETING, form),
    ]
