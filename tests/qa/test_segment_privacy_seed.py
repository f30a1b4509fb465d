"""Around Q&A: the segment condition "asked or answered a question", the privacy export and erase, held
questions in the moderation queue, and the demo seed."""
from __future__ import annotations

from sqlalchemy import select

from linecomm.members.models import Member
from linecomm.moderation import ngwords
from linecomm.privacy import requests
from linecomm.qa import demo, service
from linecomm.qa.models import QaFaq, QaQuestion
from tests.admin.console import make_member
from tests.qa.conftest import answer, ask


def test_the_segment_condition_counts_published_questions_and_answers(community, liff_member, liff_client):
    hana, sora, riku, kai = (liff_member(nickname=n) for n in ("はな", "そら", "りく", "かい"))
    question_id = ask(liff_client(hana.line_user_id))
    answer(liff_client(sora.line_user_id), question_id, "こうしています")
    with community.session() as s:
        ngwords.add(s, "バカ", "hold")
    held = liff_client(kai.line_user_id).post("/liff/qa/new", data={"title": "バカ", "body": "x", "category": "other"})
    assert held.status_code == 200  # held for review: not counted until published
    with community.reader() as s:
        found = set(s.scalars(select(Member.id).where(service.asked_or_answered())))
    assert found == {hana.member_id, sora.member_id}
    assert riku.member_id not in found


def test_export_and_erase_cover_questions_and_answers(community, liff_member, liff_client):
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    question_id = ask(liff_client(hana.line_user_id), "消したい質問", "個人的な内容")
    answer(liff_client(sora.line_user_id), question_id, "回答です")
    with community.session() as s:
        member = s.get(Member, hana.member_id)
        data = requests.export(s, member)
        assert [q["title"] for q in data["qa_questions"]] == ["消したい質問"]
        requests.erase(s, member)
    with community.reader() as s:
        row = s.get(QaQuestion, question_id)
        assert (row.title, row.body) == ("", "")
    assert liff_client(sora.line_user_id).get(f"/liff/qa/{question_id}").status_code == 404


def test_a_held_question_waits_in_the_moderation_queue(community, liff_member, liff_client, console):
    with community.session() as s:
        ngwords.add(s, "バカ", "hold")
    hana = liff_member(nickname="はな")
    form = {"title": "バカな質問", "body": "中身", "category": "usage"}
    assert liff_client(hana.line_user_id).post("/liff/qa/new", data=form).status_code == 200
    queue = console.client("moderator").get("/admin/moderation").get_data(as_text=True)
    assert "Q&amp;Aの質問" in queue and "バカな質問" in queue


def test_the_demo_seed_asks_answers_and_fills_the_faq_once(community):
    with community.session() as s:
        for nickname in ("はなこ", "いちろう", "みさき"):
            make_member(s, nickname=nickname)
    for _ in range(2):
        with community.session() as s:
            demo.seed(s)
    with community.reader() as s:
        assert len(s.scalars(select(QaQuestion)).all()) == 3
        assert [f.title for f in s.scalars(select(QaFaq))] == ["水筒のパッキンの汚れを落とすには"]
