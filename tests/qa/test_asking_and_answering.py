"""Asking and answering over HTTP (LIFF sign-in): field errors in Japanese, the moderation core, the best
answer (asker only, or a moderator; changeable), hidden answers, suspended members, escaping, actions."""
from __future__ import annotations

from sqlalchemy import select

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.members.models import MemberStatus
from linecomm.moderation import ngwords
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.qa import copy
from linecomm.qa.models import QaAnswer, QaQuestion
from linecomm.text import limits
from tests.qa.conftest import answer, answer_ids, ask

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _actions(community, kind: str) -> list[MemberAction]:
    with community.reader() as s:
        return list(s.scalars(select(MemberAction).where(MemberAction.kind == kind).order_by(MemberAction.id)))


def test_asking_checks_fields_in_japanese_and_goes_through_moderation(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    form = client.get("/liff/qa/new").get_data(as_text=True)
    assert f'data-counter="{copy.TITLE_MAX}"' in form and f'data-counter="{copy.BODY_MAX}"' in form

    response = client.post("/liff/qa/new", data={"title": "", "body": "あ" * (copy.BODY_MAX + 1), "category": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert copy.TITLE_REQUIRED in html and copy.CATEGORY_REQUIRED in html
    assert limits.too_long(copy.BODY_MAX, copy.BODY_MAX + 1) in html and 'aria-invalid="true"' in html
    assert "あ" * 20 in html  # what was typed stays

    question_id = ask(client, "サイズの選び方", "普段Mサイズです。どれがいいですか？", "product")
    with community.reader() as s:
        question = s.get(QaQuestion, question_id)
        item = s.get(ContentItem, question.content_id)
        assert (item.kind, item.ref, item.state) == (ContentKind.QUESTION, f"qa:{question_id}", ContentState.PUBLISHED)
    page = client.get(f"/liff/qa/{question_id}?asked=1").get_data(as_text=True)
    assert copy.ASKED in page and "普段Mサイズです" in page
    listing = client.get("/liff/qa").get_data(as_text=True)
    assert f'data-question="{question_id}"' in listing and copy.STATUS_OPEN in listing

    with community.session() as s:
        ngwords.add(s, "バカ", "hold")
    held = client.post("/liff/qa/new", data={"title": "バカな質問", "body": "内容", "category": "other"})
    assert held.status_code == 200 and copy.HELD in held.get_data(as_text=True)
    assert "バカな質問" not in client.get("/liff/qa").get_data(as_text=True)  # held: members do not see it
    assert client.get("/liff/qa/999999").status_code == 404


def test_answers_best_answer_by_the_asker_only_and_the_actions_it_records(community, liff_member, liff_client):
    hana, sora, riku = (liff_member(nickname=n) for n in ("はな", "そら", "りく"))
    asker, helper, other = (liff_client(p.line_user_id) for p in (hana, sora, riku))
    question_id = ask(asker)
    answer(helper, question_id, "ぬるま湯で手洗いしています")
    answer(other, question_id, "洗濯ネットに入れて弱水流で")
    answer(asker, question_id, "ありがとうございます、試してみます")  # the asker's own reply: no action
    first, second, own = answer_ids(community, question_id)
    assert [a.key for a in _actions(community, ActionKind.ANSWER_GIVEN)] == [f"qa-answer:{first}",
                                                                             f"qa-answer:{second}"]
    page = asker.get(f"/liff/qa/{question_id}").get_data(as_text=True)
    assert page.count("data-choose-best") == 2  # not on the asker's own answer
    assert "data-choose-best" not in helper.get(f"/liff/qa/{question_id}").get_data(as_text=True)

    refused = other.post(f"/liff/qa/{question_id}/best", data={"answer_id": str(first)})
    assert refused.status_code == 403 and refused.get_json()["error"] == copy.NOT_ASKER
    assert asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": str(own)}).status_code == 400
    assert asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": "abc"}).status_code == 400
    assert asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": "99999"}).status_code == 404

    chosen = asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": str(first)})
    assert chosen.status_code == 303
    page = asker.get(chosen.headers["Location"]).get_data(as_text=True)
    assert copy.BEST_CHOSEN in page and copy.STATUS_SOLVED in page
    assert page.index(f'data-answer="{first}"') < page.index(f'data-answer="{second}"')
    assert f'data-question="{question_id}"' in asker.get("/liff/qa?status=solved").get_data(as_text=True)
    assert f'data-question="{question_id}"' not in asker.get("/liff/qa?status=open").get_data(as_text=True)

    # Changed: the old best answer's action is withdrawn, the new one's recorded; one best answer only.
    assert asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": str(second)}).status_code == 303
    best = {a.key: a.withdrawn_at is not None for a in _actions(community, ActionKind.BEST_ANSWER)}
    assert best == {f"qa-best:{question_id}:{first}": True, f"qa-best:{question_id}:{second}": False}
    with community.reader() as s:
        assert s.scalars(select(QaAnswer.id).where(QaAnswer.is_best.is_(True))).all() == [second]
    mine = helper.get("/liff/me").get_data(as_text=True)
    assert "わたしの質問と回答" in mine and "お手入れの方法" in mine


def test_a_hidden_best_answer_disappears_and_stops_being_best(community, liff_member, liff_client, console):
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    asker, helper = liff_client(hana.line_user_id), liff_client(sora.line_user_id)
    question_id = ask(asker)
    answer(helper, question_id, "消える回答です")
    (answer_id,) = answer_ids(community, question_id)
    assert asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": str(answer_id)}).status_code == 303
    with community.reader() as s:
        content_id = s.get(QaAnswer, answer_id).content_id

    queue = console.client("moderator").get("/admin/moderation").get_data(as_text=True)
    assert "Q&amp;Aの質問" not in queue  # published without a flag: not queued
    moderator = console.client("moderator")
    assert moderator.post(f"/admin/moderation/{content_id}/decide", data={"action": "hide"}).status_code == 303

    page = asker.get(f"/liff/qa/{question_id}").get_data(as_text=True)
    assert "消える回答です" not in page and copy.STATUS_OPEN in page and copy.BEST not in page
    assert f'data-question="{question_id}"' in asker.get("/liff/qa?status=open").get_data(as_text=True)
    assert "消える回答です" not in helper.get("/liff/me").get_data(as_text=True)
    assert asker.post(f"/liff/qa/{question_id}/best", data={"answer_id": str(answer_id)}).status_code == 404

    hidden_question = asker.get("/liff/qa")
    assert f'data-question="{question_id}"' in hidden_question.get_data(as_text=True)
    with community.reader() as s:
        question_content = s.get(QaQuestion, question_id).content_id
    assert moderator.post(f"/admin/moderation/{question_content}/decide", data={"action": "hide"}).status_code == 303
    assert f'data-question="{question_id}"' not in asker.get("/liff/qa").get_data(as_text=True)
    assert asker.get(f"/liff/qa/{question_id}").status_code == 404
    assert helper.post(f"/liff/qa/{question_id}/answers", data={"body": "まだ？"}).status_code == 404


def test_a_moderator_marks_the_best_answer_in_the_console(community, liff_member, liff_client, console):
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    question_id = ask(liff_client(hana.line_user_id))
    answer(liff_client(sora.line_user_id), question_id, "こうしました")
    (answer_id,) = answer_ids(community, question_id)
    marketer = console.client("marketer")
    assert marketer.post(f"/admin/qa/{question_id}/best", data={"answer_id": str(answer_id)}).status_code == 403
    moderator = console.client("moderator")
    response = moderator.post(f"/admin/qa/{question_id}/best", data={"answer_id": str(answer_id)})
    assert response.status_code == 303
    with community.reader() as s:
        row = s.get(QaAnswer, answer_id)
        assert row.is_best and row.best_chosen_by == "staff"
    assert [r.after for r in console.audit_rows("qa.best_answer")] == [f'{{"best_answer_id": {answer_id}}}']
    assert [a.member_id for a in _actions(community, ActionKind.BEST_ANSWER)] == [sora.member_id]


def test_a_suspended_member_reads_but_cannot_post(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    question_id = ask(liff_client(hana.line_user_id))
    kuro = liff_member(nickname="くろ", status=MemberStatus.SUSPENDED)
    client = liff_client(kuro.line_user_id)
    page = client.get(f"/liff/qa/{question_id}").get_data(as_text=True)
    assert "お手入れの方法" in page and "data-answer-form" not in page and copy.SUSPENDED in page
    for path, data in ((f"/liff/qa/{question_id}/answers", {"body": "回答"}),
                       ("/liff/qa/new", {"title": "t", "body": "b", "category": "usage"})):
        response = client.post(path, data=data)
        assert response.status_code == 403 and response.get_json()["read_only"] is True
    with community.reader() as s:
        assert s.scalar(select(QaAnswer.id)) is None


def test_markup_in_every_field_is_shown_as_text(community, liff_member, liff_client, console):
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    asker = liff_client(hana.line_user_id)
    question_id = ask(asker, XSS, XSS, "other")
    answer(liff_client(sora.line_user_id), question_id, XSS)
    marketer = console.client("marketer")
    assert marketer.post(f"/admin/qa/{question_id}/answer", data={"body": XSS}).status_code == 303
    pages = [asker.get(p).get_data(as_text=True) for p in ("/liff/qa", f"/liff/qa/{question_id}", "/liff/me")]
    pages += [marketer.get(p).get_data(as_text=True) for p in ("/admin/qa", f"/admin/qa/{question_id}")]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html
