"""The FAQ (a marketer promotes a solved question, members search it: 全角/半角 and カタカナ/ひらがな alike),
the unanswered list for staff after N hours (the jobs' clock moved), and 「質問」 / 「ヘルプ」 in chat through
signed webhooks."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.qa import copy
from linecomm.qa.models import QaFaq
from tests.admin.console import make_member
from tests.qa.conftest import answer, answer_ids, ask

FAQ_FORM = {"title": "ＸＬサイズの交換方法", "body": "ご注文から30日以内ならコールセンターで交換できます。",
            "category": "order"}


def _solved(liff_member, liff_client, community, title: str = "交換できますか") -> int:
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    asker = liff_client(hana.line_user_id)
    question_id = ask(asker, title, "サイズが合いませんでした", "order")
    answer(liff_client(sora.line_user_id), question_id, "30日以内なら交換できました")
    (answer_id,) = answer_ids(community, question_id)
    assert asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": str(answer_id)}).status_code == 303
    return question_id


def test_a_marketer_promotes_a_solved_question_and_members_find_it_however_they_type(
        community, liff_member, liff_client, console):
    open_id = ask(liff_client(liff_member(nickname="りく").line_user_id), "未解決の質問")
    question_id = _solved(liff_member, liff_client, community)
    marketer = console.client("marketer")
    page = marketer.get(f"/admin/qa/{question_id}").get_data(as_text=True)
    assert "30日以内なら交換できました" in page and "data-faq-promote" in page  # the best answer as the draft
    refused = marketer.post(f"/admin/qa/{open_id}/faq", data=FAQ_FORM)
    assert refused.status_code == 303
    assert console.audit_rows("qa.faq_promote") == []
    bad = marketer.post(f"/admin/qa/{question_id}/faq", data=FAQ_FORM | {"title": ""})
    assert bad.status_code == 422 and copy.TITLE_REQUIRED in bad.get_data(as_text=True)
    assert marketer.post(f"/admin/qa/{question_id}/faq", data=FAQ_FORM).status_code == 303
    assert marketer.post(f"/admin/qa/{question_id}/faq", data=FAQ_FORM).status_code == 303  # once only
    assert len(console.audit_rows("qa.faq_promote")) == 1
    with community.reader() as s:
        (entry,) = s.scalars(select(QaFaq)).all()

    member = liff_client(liff_member(nickname="みな").line_user_id)
    for typed in ("xlさいず", "ｘｌ　サイズ", "こーるせんたー", "ｺｰﾙｾﾝﾀｰ", "交換 30日"):
        html = member.get("/liff/qa/faq", query_string={"q": typed}).get_data(as_text=True)
        assert f'data-faq-entry="{entry.id}"' in html, typed
    for typed in ("返品", "XXL"):
        assert copy.NO_FAQ in member.get("/liff/qa/faq", query_string={"q": typed}).get_data(as_text=True)
    assert "data-faq-results" in member.get("/liff/qa", query_string={"q": "ＸＬ"}).get_data(as_text=True)
    shown = member.get(f"/liff/qa/faq/{entry.id}").get_data(as_text=True)
    assert "ＸＬサイズの交換方法" in shown and "コールセンター" in shown
    assert member.get("/liff/qa/faq/999999").status_code == 404

    edited = marketer.post(f"/admin/qa/faq/{entry.id}", data=FAQ_FORM | {"title": "サイズ交換のご案内"})
    assert edited.status_code == 303 and len(console.audit_rows("qa.faq_update")) == 1
    assert f'data-faq-entry="{entry.id}"' in member.get("/liff/qa/faq", query_string={"q": "ご案内"}).get_data(
        as_text=True)
    assert console.client("moderator").post(f"/admin/qa/faq/{entry.id}", data=FAQ_FORM).status_code == 403


def test_questions_unanswered_for_n_hours_are_listed_for_staff(community, liff_member, liff_client, console, clock):
    hours = community.settings.qa_unanswered_hours
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    waiting = ask(liff_client(hana.line_user_id), "だれか教えてください")
    answered = ask(liff_client(hana.line_user_id), "回答のある質問")
    answer(liff_client(sora.line_user_id), answered, "どうぞ")
    staff = console.client("moderator")
    listed = staff.get("/admin/qa?view=unanswered").get_data(as_text=True)
    assert f'data-question="{waiting}"' not in listed  # not old enough yet

    clock(utcnow() + timedelta(hours=hours, minutes=1))
    listed = staff.get("/admin/qa?view=unanswered").get_data(as_text=True)
    assert f'data-question="{waiting}"' in listed and f'data-question="{answered}"' not in listed
    assert staff.post(f"/admin/qa/{waiting}/answer", data={"body": "公式にお答えします"}).status_code == 303
    assert f'data-question="{waiting}"' not in staff.get("/admin/qa?view=unanswered").get_data(as_text=True)


def test_the_chat_keyword_gives_the_qa_page_and_the_newest_faq(community, liff_member, liff_client, console):
    question_id = _solved(liff_member, liff_client, community)
    assert console.client("owner").post(f"/admin/qa/{question_id}/faq", data=FAQ_FORM).status_code == 303
    user = community.user(display_name="さくらのLINE")
    with community.session() as s:
        make_member(s, nickname="さくら", line_user_id=user.user_id)
    for word in ("質問", "しつもん", "ＦＡＱ"):
        before = len(user.received())
        assert user.say(word).status == 200
        community.drain()
        assert len(user.received()) == before + 1
        reply = user.last_text()
        assert f"https://liff.line.me/{community.settings.liff_id}/qa" in reply
        assert "・ＸＬサイズの交換方法" in reply, word
    user.say("ヘルプ")
    community.drain()
    assert "質問：" in user.last_text()
