"""Members' survey pages through the Flask test client, signed in with fake-issued LIFF ID tokens: answer
with validation messages beside the fields, the same form twice, edit while open, closed / not yet open /
not for you said politely, a suspended member reads only, and nobody reaches another member's answers."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from linecomm.actions.models import MemberAction
from linecomm.db import utcnow
from linecomm.liff.access import COOKIE_NAME
from linecomm.members.models import MemberStatus
from linecomm.paths import static_dir
from linecomm.pushes.segments import Segment
from linecomm.surveys import copy
from linecomm.surveys.models import SurveyAnswer, SurveyResponse
from tests.support.community import Community
from tests.surveys.factories import MadeSurvey, make_survey

QUESTIONS = [
    {"kind": "single", "prompt": "ご利用の頻度", "choices": ["毎日", "ときどき", "使っていない"]},
    {"kind": "text", "prompt": "使っていない理由", "show_if": (1, 3)},
    {"kind": "nps", "prompt": "友人におすすめする可能性"},
    {"kind": "text", "prompt": "ひとこと", "required": False},
]


def _survey(community: Community, **kwargs: object) -> MadeSurvey:
    with community.session() as s:
        return make_survey(s, title=kwargs.pop("title", "ご利用アンケート"), questions=QUESTIONS,  # type: ignore[arg-type]
                           thank_you_message="ご協力ありがとうございました！", **kwargs)  # type: ignore[arg-type]


def _key(html: str) -> str:
    found = re.search(r'name="submission_key" value="([^"]+)"', html)
    assert found, "no submission key in the form"
    return found.group(1)


def _answers(community: Community, member_id: int) -> list[tuple[int, int | None, int | None, str | None]]:
    with community.reader() as s:
        return sorted(s.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.choice_id, SurveyAnswer.number, SurveyAnswer.text)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.member_id == member_id)).all(), key=repr)


def test_answer_fix_the_errors_send_twice_then_edit(community: Community, liff_member, liff_client) -> None:
    made = _survey(community)
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    page = client.get(f"/liff/surveys/{made.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ご利用の頻度" in html and "data-liff-form" in html
    assert re.search(rf'data-question="{made.q(2)}" data-show-if="{made.c(1, 3)}" hidden', html)
    key = _key(html)

    wrong = client.post(f"/liff/surveys/{made.id}", data={"submission_key": key, f"q{made.q(1)}": str(made.c(1, 3)),
                                                          f"q{made.q(3)}": "12"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and copy.FORM_HAS_ERRORS in html
    assert f'data-error-for="{made.q(2)}">{copy.WRITE_SOMETHING}<' in html  # shown now: 使っていない was picked
    assert f'data-error-for="{made.q(3)}">{copy.NPS_RANGE}<' in html
    assert f'data-error-for="{made.q(1)}"' not in html and _key(html) == key
    assert f'value="{made.c(1, 3)}" data-choice checked' in html  # what was picked is kept
    assert _answers(community, hana.member_id) == []

    fixed = {"submission_key": key, f"q{made.q(1)}": str(made.c(1, 3)), f"q{made.q(2)}": "時間がない",
             f"q{made.q(3)}": "7", f"q{made.q(4)}": ""}
    sent = client.post(f"/liff/surveys/{made.id}", data=fixed)
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/liff/surveys/{made.id}/thanks")
    thanks = client.get(f"/liff/surveys/{made.id}/thanks").get_data(as_text=True)
    assert "ご協力ありがとうございました！" in thanks and "時間がない" in thanks and "回答を修正する" in thanks
    stored = _answers(community, hana.member_id)
    assert len(stored) == 3

    again = client.post(f"/liff/surveys/{made.id}", data={**fixed, f"q{made.q(3)}": "0"})  # a double tap
    assert again.status_code == 303 and again.headers["Location"] == sent.headers["Location"]
    assert _answers(community, hana.member_id) == stored

    edit_form = client.get(f"/liff/surveys/{made.id}/edit").get_data(as_text=True)
    assert "時間がない</textarea>" in edit_form and _key(edit_form) != key
    edited = client.post(f"/liff/surveys/{made.id}", data={"submission_key": _key(edit_form),
                                                           f"q{made.q(1)}": str(made.c(1, 1)), f"q{made.q(3)}": "9",
                                                           f"q{made.q(2)}": "時間がない"})
    assert edited.status_code == 303
    assert _answers(community, hana.member_id) == sorted([(made.q(1), made.c(1, 1), None, None),
                                                          (made.q(3), None, 9, None)], key=repr)
    with community.reader() as s:
        assert s.scalar(select(SurveyResponse.edit_count)) == 1
        # One member action per response, not per edit (points pay it once).
        assert s.scalars(select(MemberAction.key).where(MemberAction.member_id == hana.member_id)).all() == [
            f"survey-response:{s.scalar(select(SurveyResponse.id))}"]
    listing = client.get("/liff/surveys").get_data(as_text=True)
    assert "ご利用アンケート" in listing and "回答済み" in listing
    my_page = client.get("/liff/me").get_data(as_text=True)
    assert "回答したアンケート" in my_page and f"/liff/surveys/{made.id}/edit" in my_page


def test_closed_not_yet_open_and_not_for_you_are_said_politely(community: Community, liff_member,
                                                              liff_client) -> None:
    now = utcnow()
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    open_now = _survey(community, closes_at=now + timedelta(minutes=30))
    later = _survey(community, title="来月のアンケート", opens_at=now + timedelta(days=3),
                    closes_at=now + timedelta(days=9))
    secret = _survey(community, title="2期生向けの秘密のアンケート", segment=Segment(cohorts=("2期生",)))
    page = client.get(f"/liff/surveys/{open_now.id}").get_data(as_text=True)
    assert client.post(f"/liff/surveys/{open_now.id}", data={
        "submission_key": _key(page), f"q{open_now.q(1)}": str(open_now.c(1, 1)), f"q{open_now.q(3)}": "10",
    }).status_code == 303
    with community.session() as s:  # the period ends
        survey = s.merge(open_now.survey)
        survey.closes_at = utcnow() - timedelta(seconds=1)
    closed = client.get(f"/liff/surveys/{open_now.id}").get_data(as_text=True)
    assert "受付は終了しました" in closed and "あなたの回答" in closed and "10 / 10" in closed
    assert "回答を修正する" not in closed and "data-liff-form" not in client.get(
        f"/liff/surveys/{open_now.id}/edit").get_data(as_text=True)
    late = client.post(f"/liff/surveys/{open_now.id}", data={"submission_key": _key(page) + "x",
                                                             f"q{open_now.q(3)}": "1"})
    assert late.status_code == 409 and "受付は終了しました" in late.get_data(as_text=True)
    upcoming = client.get(f"/liff/surveys/{later.id}").get_data(as_text=True)
    assert "から回答いただけます" in upcoming and "来月のアンケート" in upcoming and "data-liff-form" not in upcoming
    hidden = client.get(f"/liff/surveys/{secret.id}")
    assert hidden.status_code == 403 and copy.NOT_FOR_YOU in hidden.get_data(as_text=True)
    assert "秘密" not in hidden.get_data(as_text=True)
    crafted = client.post(f"/liff/surveys/{secret.id}", data={"submission_key": "k" * 30,
                                                              f"q{secret.q(1)}": str(secret.c(1, 1))})
    assert crafted.status_code == 403 and "秘密" not in crafted.get_data(as_text=True)
    assert client.get("/liff/surveys/99999999").status_code == 404
    assert client.get("/liff/surveys/99999999999").status_code == 404  # beyond any id
    listing = client.get("/liff/surveys").get_data(as_text=True)
    assert "秘密" not in listing and "来月" not in listing and "受付を終了したアンケート" in listing


def test_nobody_reads_or_changes_another_members_answers(community: Community, liff_member, liff_client) -> None:
    made = _survey(community)
    hana, taro = liff_member(nickname="はな"), liff_member(nickname="たろう")
    hana_client = liff_client(hana.line_user_id)
    key = _key(hana_client.get(f"/liff/surveys/{made.id}").get_data(as_text=True))
    hana_client.post(f"/liff/surveys/{made.id}", data={"submission_key": key, f"q{made.q(1)}": str(made.c(1, 2)),
                                                        f"q{made.q(3)}": "8", f"q{made.q(4)}": "はなの秘密のひとこと"})
    hana_answers = _answers(community, hana.member_id)
    taro_client = liff_client(taro.line_user_id)
    for path in (f"/liff/surveys/{made.id}", f"/liff/surveys/{made.id}/edit", f"/liff/surveys/{made.id}/thanks",
                 f"/liff/surveys/{made.id}?member_id={hana.member_id}", "/liff/me"):
        assert "はなの秘密" not in taro_client.get(path).get_data(as_text=True), path
    # ids the client sends are ignored: taro's own response is created, hana's is untouched
    taro_key = _key(taro_client.get(f"/liff/surveys/{made.id}").get_data(as_text=True))
    sent = taro_client.post(f"/liff/surveys/{made.id}", data={
        "submission_key": key, "member_id": str(hana.member_id), "line_user_id": hana.line_user_id,
        f"q{made.q(1)}": str(made.c(1, 1)), f"q{made.q(3)}": "1"})
    assert sent.status_code == 303 and taro_key != key
    assert _answers(community, hana.member_id) == hana_answers
    assert len(_answers(community, taro.member_id)) == 2

    forger = liff_client(None)
    wrong_key = URLSafeTimedSerializer("not-the-app-secret", salt="linecomm.liff.session")
    forger.client.set_cookie(COOKIE_NAME, wrong_key.dumps({"sub": hana.line_user_id}))
    assert "data-signin" in forger.get(f"/liff/surveys/{made.id}/edit").get_data(as_text=True)
    refused = forger.post(f"/liff/surveys/{made.id}", data={"submission_key": "f" * 30, f"q{made.q(3)}": "0"})
    assert refused.status_code == 401 and refused.get_json()["reauth"] is True
    cross = hana_client.post(f"/liff/surveys/{made.id}", data={"submission_key": "c" * 30}, origin="https://evil.example")
    assert cross.status_code == 403
    assert _answers(community, hana.member_id) == hana_answers


def test_crafted_forms_get_clear_answers_never_500(community: Community, liff_member, liff_client) -> None:
    made = _survey(community)
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    missing_key = client.post(f"/liff/surveys/{made.id}", data={f"q{made.q(1)}": str(made.c(1, 1))})
    assert missing_key.status_code == 400 and missing_key.get_json()["error"] == copy.EXPIRED_FORM
    garbage = client.post(f"/liff/surveys/{made.id}", data={
        "submission_key": "g" * 30, f"q{made.q(1)}": ["abc", "99999999999999999999"], f"q{made.q(3)}": "٣",
        "q": "x", "q-1": "y", "q99999999999": "z"})
    html = garbage.get_data(as_text=True)
    assert garbage.status_code == 422 and copy.ONLY_ONE in html and copy.NPS_RANGE in html
    assert client.post("/liff/surveys/99999999", data={"submission_key": "h" * 30}).status_code == 404
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_a_suspended_member_reads_but_cannot_send(community: Community, liff_member, liff_client) -> None:
    made = _survey(community)
    resting = liff_member(nickname="おやすみ", status=MemberStatus.SUSPENDED)
    client = liff_client(resting.line_user_id)
    html = client.get(f"/liff/surveys/{made.id}").get_data(as_text=True)
    assert "ご利用アンケート" in html and copy.SUSPENDED in html and "送信する</button>" not in html
    refused = client.post(f"/liff/surveys/{made.id}", data={"submission_key": "s" * 30,
                                                            f"q{made.q(1)}": str(made.c(1, 1)), f"q{made.q(3)}": "5"})
    assert refused.status_code == 403 and refused.get_json()["read_only"] is True
    assert _answers(community, resting.member_id) == []


def test_every_survey_page_weighs_under_50_kb(community: Community, liff_member, liff_client) -> None:
    many = [{"kind": "single", "prompt": f"質問{i}：" + "とても長い設問文です" * 8,
             "choices": [f"選択肢{j}" + "あ" * 30 for j in range(8)]} for i in range(12)]
    with community.session() as s:
        made = make_survey(s, title="長いアンケート", questions=many + QUESTIONS)
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    assets = sum(len((Path(static_dir()) / "liff" / name).read_bytes())
                 for name in ("liff.css", "pages.js", "surveys.css", "surveys.js"))
    for path in (f"/liff/surveys/{made.id}", "/liff/surveys", "/liff/me"):
        body = client.get(path).get_data()
        assert len(body) + assets < 50_000, (path, len(body), assets)
