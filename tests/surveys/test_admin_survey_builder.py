"""The survey builder in the admin console, through the Flask test client signed in as staff: a survey
with branching and answer → tag, validation errors in Japanese beside their fields, the publish rules,
what may change once members answered, who may do what, and the audit rows."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from linecomm.members.models import Tag
from linecomm.surveys.models import Survey, SurveyChoice, SurveyQuestion, SurveyResponse
from tests.admin.console import Console, make_member
from tests.support.community import Community
from tests.surveys.factories import make_survey


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)


def builder_form(**changes: str) -> dict[str, str]:
    """A marketer's survey: Q1 single choice (「はい」 tags 利用者), Q2 text shown only for 「いいえ」, Q3 NPS,
    a blank Q4 slot (ignored), as the builder page posts it."""
    data = {
        "title": "ご利用アンケート", "description": "3分ほどで終わります。",
        "thank_you_message": "ありがとうございました。",
        "opens_at": "", "closes_at": "2031-01-31T18:00", "action": "save",
        "q1_kind": "single", "q1_prompt": "商品をお使いですか", "q1_required": "1",
        "q1_c1_label": "はい", "q1_c1_tag": "利用者", "q1_c2_label": "いいえ", "q1_c2_tag": "", "q1_c3_label": "",
        "q2_kind": "text", "q2_prompt": "お使いでない理由を教えてください", "q2_show_if": "1-2",
        "q3_kind": "nps", "q3_prompt": "友人にすすめる可能性はどのくらいですか", "q3_required": "1",
        "q4_kind": "single", "q4_prompt": "", "q4_c1_label": "", "q4_c2_label": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _questions(community: Community, survey_id: int) -> list[tuple[SurveyQuestion, list[SurveyChoice]]]:
    with community.reader() as s:
        questions = list(s.scalars(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
                                   .order_by(SurveyQuestion.position)))
        return [(q, list(s.scalars(select(SurveyChoice).where(SurveyChoice.question_id == q.id)
                                   .order_by(SurveyChoice.position)))) for q in questions]


def _survey_id(response: object) -> int:
    location = response.headers["Location"]  # type: ignore[attr-defined]
    return int(location.rstrip("/").split("/")[-1])


def test_a_marketer_builds_a_survey_with_branching_and_tags_and_publishes_it(console: Console) -> None:
    marketer = console.client("marketer")
    assert marketer.get("/admin/surveys/new").status_code == 200
    saved = marketer.post("/admin/surveys/new", builder_form())
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    survey_id = _survey_id(saved)
    page = marketer.follow(saved).get_data(as_text=True)
    assert "アンケート「ご利用アンケート」を保存しました" in page and "新しいタグ 利用者 を作成しました" in page

    (q1, c1), (q2, _), (q3, _) = _questions(console.community, survey_id)
    assert [q1.kind, q2.kind, q3.kind] == ["single", "text", "nps"]
    assert [c.label for c in c1] == ["はい", "いいえ"] and c1[0].tag_name == "利用者" and c1[1].tag_name is None
    assert q2.show_if_choice_id == c1[1].id and q2.required is False and q1.required is True
    with console.community.reader() as s:
        assert s.scalar(select(func.count()).select_from(Tag).where(Tag.name == "利用者")) == 1
        survey = s.get(Survey, survey_id)
        assert survey.published_at is None and survey.closes_at.isoformat().startswith("2031-01-31T09:00")
        assert survey.created_by == marketer.email
    [created] = console.audit_rows("survey.create")
    assert created.target_id == str(survey_id) and "利用者" in created.after

    # The edit page shows the branching as it was saved: Q2 depends on Q1's 「いいえ」.
    edit = marketer.get(f"/admin/surveys/{survey_id}/edit").get_data(as_text=True)
    assert '<option value="1-2" selected>Q1「商品をお使いですか」が「いいえ」のとき</option>' in edit

    published = marketer.post(f"/admin/surveys/{survey_id}/publish")
    assert published.status_code == 303
    assert "公開しました" in marketer.follow(published).get_data(as_text=True)
    with console.community.reader() as s:
        assert s.get(Survey, survey_id).published_at is not None
    assert console.audit_count("survey.publish") == 1
    listing = marketer.get("/admin/surveys").get_data(as_text=True)
    assert "ご利用アンケート" in listing and "回答受付中" in listing


def test_the_builder_explains_each_mistake_in_japanese_beside_its_field(console: Console) -> None:
    marketer = console.client("marketer")
    before = console.audit_count()
    bad = builder_form(title="", q1_show_if="3-1", q3_kind="single", q3_c1_label="よく", q3_c2_label="ときどき",
                       closes_at="2031-13-01T10:00", q2_c1_label="ignored for a text question")
    response = marketer.post("/admin/surveys/new", bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "入力内容を確認してください" in page
    assert '<p class="svy-error" id="err-title">タイトルは1〜100文字で入力してください。</p>' in page
    assert 'id="err-q1-show_if">表示の条件には、この質問より前の質問の選択肢を指定してください。' in page
    assert 'id="err-closes_at">回答受付の終了の日時が正しくありません' in page
    assert 'aria-describedby="err-title"' in page
    assert "選択肢は「単一選択」「複数選択」の質問にだけ" not in page  # a text question's choice inputs are ignored
    # What was typed is kept.
    assert 'value="商品をお使いですか"' in page and 'value="利用者"' in page
    with console.community.reader() as s:
        assert s.scalar(select(func.count()).select_from(Survey)) == 0
    assert console.audit_count() == before

    duplicate = marketer.post("/admin/surveys/new", builder_form(q1_c2_label="はい"))
    assert duplicate.status_code == 422 and "同じ選択肢が2回入っています。" in duplicate.get_data(as_text=True)
    bad_tag = marketer.post("/admin/surveys/new", builder_form(q1_c1_tag="あ" * 41))
    assert bad_tag.status_code == 422 and "タグ名は40文字以内にしてください。" in bad_tag.get_data(as_text=True)


def test_publishing_needs_questions_and_two_choices_per_choice_question(console: Console) -> None:
    marketer = console.client("marketer")
    one_choice = builder_form(q1_c2_label="", q2_show_if="")
    survey_id = _survey_id(marketer.post("/admin/surveys/new", one_choice))  # a draft may be incomplete
    refused = marketer.follow(marketer.post(f"/admin/surveys/{survey_id}/publish")).get_data(as_text=True)
    assert "Q1：選択肢を2つ以上入れてください。" in refused

    empty = {"title": "空のアンケート", "action": "save", "q1_kind": "single", "q1_prompt": ""}
    empty_id = _survey_id(marketer.post("/admin/surveys/new", empty))
    assert "質問を1つ以上入れてください。" in marketer.follow(
        marketer.post(f"/admin/surveys/{empty_id}/publish")).get_data(as_text=True)

    past = builder_form(closes_at="2020-01-01T10:00")
    past_id = _survey_id(marketer.post("/admin/surveys/new", past))
    assert "回答期間の終了がすでに過ぎています" in marketer.follow(
        marketer.post(f"/admin/surveys/{past_id}/publish")).get_data(as_text=True)
    with console.community.reader() as s:
        assert s.scalar(select(func.count()).select_from(Survey).where(Survey.published_at.is_not(None))) == 0
    assert console.audit_count("survey.publish") == 0


def test_adding_a_question_posts_the_form_back_with_room_for_one_more(console: Console) -> None:
    marketer = console.client("marketer")
    page = marketer.post("/admin/surveys/new", builder_form(action="add_question")).get_data(as_text=True)
    # Three questions kept (the blank one dropped), and a fourth empty slot offered; nothing saved yet.
    assert 'name="q3_prompt" value="友人にすすめる可能性はどのくらいですか"' in page
    assert 'name="q4_prompt" value=""' in page and 'name="q5_prompt"' not in page
    assert "Q1「商品をお使いですか」が「はい」のとき" in page
    with console.community.reader() as s:
        assert s.scalar(select(func.count()).select_from(Survey)) == 0


def test_once_members_answered_only_wording_and_period_may_change(console: Console) -> None:
    with console.community.session() as s:
        made = make_survey(s, title="回答済みのアンケート", questions=[
            {"kind": "single", "prompt": "好きな色", "choices": ["赤", "青"]},
            {"kind": "rating", "prompt": "満足度"},
        ])
        member = make_member(s, nickname="回答した人")
        s.add(SurveyResponse(survey_id=made.id, member_id=member.id, submission_key="k" * 20))
        question_ids = [made.q(1), made.q(2)]
    marketer = console.client("marketer")
    edit = marketer.get(f"/admin/surveys/{made.id}/edit").get_data(as_text=True)
    assert "変更できるのは文言" in edit and 'name="q1_kind"' in edit and 'type="hidden" name="q1_kind"' in edit

    form = {"title": "回答済みのアンケート（改）", "action": "save", "closes_at": "2031-03-01T12:00",
            "q1_kind": "single", "q1_prompt": "いちばん好きな色", "q1_required": "1",
            "q1_c1_label": "あか", "q1_c1_tag": "", "q1_c2_label": "あお", "q1_c2_tag": "", "q1_show_if": "",
            "q2_kind": "rating", "q2_prompt": "満足度（5段階）", "q2_required": "1", "q2_show_if": ""}
    locked = marketer.post(f"/admin/surveys/{made.id}/edit", form | {"q2_kind": "nps"})
    assert locked.status_code == 422
    assert "回答が集まっているため、質問や選択肢の数・種類" in locked.get_data(as_text=True)
    more = marketer.post(f"/admin/surveys/{made.id}/edit", form | {"q1_c3_label": "緑"})
    assert more.status_code == 422

    saved = marketer.post(f"/admin/surveys/{made.id}/edit", form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:1500]
    (q1, c1), (q2, _) = _questions(console.community, made.id)
    assert [q1.id, q2.id] == question_ids  # answers still point at the same questions
    assert q1.prompt == "いちばん好きな色" and [c.label for c in c1] == ["あか", "あお"] and q2.kind == "rating"
    [update] = console.audit_rows("survey.update")
    assert "好きな色" in update.before and "いちばん好きな色" in update.after


def test_closing_early_stops_the_survey_and_a_closed_survey_cannot_be_edited(console: Console) -> None:
    with console.community.session() as s:
        made = make_survey(s, title="早めに締める", questions=[{"kind": "text", "prompt": "ご意見"}])
    marketer = console.client("marketer")
    page = marketer.follow(marketer.post(f"/admin/surveys/{made.id}/close")).get_data(as_text=True)
    assert "回答受付を終了しました" in page and "終了" in page
    with console.community.reader() as s:
        assert s.get(Survey, made.id).closed_at is not None
    assert console.audit_count("survey.close") == 1
    again = marketer.follow(marketer.post(f"/admin/surveys/{made.id}/close")).get_data(as_text=True)
    assert "すでに終了しています" in again
    assert marketer.get(f"/admin/surveys/{made.id}/edit").status_code == 303


def test_a_moderator_reads_results_but_cannot_build_publish_close_or_export(console: Console) -> None:
    with console.community.session() as s:
        draft = make_survey(s, title="下書き", published=False, questions=[{"kind": "text", "prompt": "ご意見"}])
    moderator = console.client("moderator")
    assert moderator.get("/admin/surveys").status_code == 200
    assert moderator.get(f"/admin/surveys/{draft.id}").status_code == 200
    before = console.audit_count()
    for method, path in [("GET", "/admin/surveys/new"), ("POST", "/admin/surveys/new"),
                         ("GET", f"/admin/surveys/{draft.id}/edit"), ("POST", f"/admin/surveys/{draft.id}/edit"),
                         ("POST", f"/admin/surveys/{draft.id}/publish"), ("POST", f"/admin/surveys/{draft.id}/close"),
                         ("GET", f"/admin/surveys/{draft.id}/responses.csv"),
                         ("POST", f"/admin/surveys/{draft.id}/announce")]:
        response = moderator.get(path) if method == "GET" else moderator.post(path, builder_form())
        assert response.status_code == 403, (method, path)
    assert console.audit_count() == before
    page = moderator.get(f"/admin/surveys/{draft.id}").get_data(as_text=True)
    assert "公開する" not in page and "編集</a>" not in page
    with console.community.reader() as s:
        assert s.get(Survey, draft.id).published_at is None


def test_staff_text_in_the_builder_is_escaped_everywhere(console: Console) -> None:
    marketer = console.client("marketer")
    payload = '<img src=x onerror="alert(1)">'
    saved = marketer.post("/admin/surveys/new", builder_form(title=payload, q1_c1_label=payload, q1_c1_tag=""))
    survey_id = _survey_id(saved)
    for path in ("/admin/surveys", f"/admin/surveys/{survey_id}", f"/admin/surveys/{survey_id}/edit"):
        page = marketer.get(path).get_data(as_text=True)
        assert payload not in page and "&lt;img src=x onerror=" in page, path


def test_a_follow_up_survey_targets_the_members_who_answered_an_earlier_one(console: Console) -> None:
    with console.community.session() as s:
        earlier = make_survey(s, title="春のアンケート", questions=[{"kind": "text", "prompt": "ご意見"}])
        answered = make_member(s, nickname="答えた人")
        make_member(s, nickname="答えていない人")
        s.add(SurveyResponse(survey_id=earlier.id, member_id=answered.id, submission_key="f" * 20))
    marketer = console.client("marketer")
    assert "春のアンケート" in marketer.get("/admin/surveys/new").get_data(as_text=True)  # offered as a target
    saved = marketer.post("/admin/surveys/new", builder_form(answered_survey=str(earlier.id)))
    assert saved.status_code == 303, saved.get_data(as_text=True)[:1500]
    page = marketer.follow(saved).get_data(as_text=True)
    assert 'data-stat="target">1人' in page and "春のアンケート" in page
    unknown = marketer.post("/admin/surveys/new", builder_form(answered_survey="999999"))
    assert unknown.status_code == 422 and 'id="err-segment"' in unknown.get_data(as_text=True)
