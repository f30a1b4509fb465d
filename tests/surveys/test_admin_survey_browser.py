"""A marketer in a real browser (Debian Chromium via Playwright): builds a survey with branching in the
console (no script needed to add questions), publishes it, and once members have answered reads its
chart and NPS; a member's script in a free-text answer renders as text, and the page breaks no CSP rule."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from linecomm.surveys.models import Survey, SurveyAnswer, SurveyChoice, SurveyQuestion, SurveyResponse
from tests.admin.console import PASSWORD, Console, make_member
from tests.support.browser import chromium_page, screenshot
from tests.support.community import Community

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["postgres"], indirect=True)]

XSS = '<img src=x onerror="window.__xss=1">使いにくい'


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)


def _answer(console: Console, survey_id: int, nps: list[int]) -> None:
    """Members answer: Q1 「はい」 (the last one 「いいえ」, with a free text), Q3 the NPS scores given."""
    with console.community.session() as s:
        questions = list(s.scalars(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
                                   .order_by(SurveyQuestion.position)))
        yes, no = s.scalars(select(SurveyChoice.id).where(SurveyChoice.question_id == questions[0].id)
                            .order_by(SurveyChoice.position)).all()
        for i, score in enumerate(nps):
            member = make_member(s, nickname=f"回答者{i}")
            response = SurveyResponse(survey_id=survey_id, member_id=member.id, submission_key=f"browser-{i:012d}")
            s.add(response)
            s.flush()
            last = i == len(nps) - 1
            s.add(SurveyAnswer(response_id=response.id, question_id=questions[0].id, choice_id=no if last else yes))
            if last:
                s.add(SurveyAnswer(response_id=response.id, question_id=questions[1].id, text=XSS))
            s.add(SurveyAnswer(response_id=response.id, question_id=questions[2].id, number=score))


def test_a_marketer_builds_publishes_and_reads_a_survey(console: Console, tmp_path: Path) -> None:
    community = console.community
    email = console.staff("marketer", name="企画担当")
    base = community.base_url
    with chromium_page() as page:
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(base + "/admin/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/admin/")

        page.click("nav >> text=アンケート")
        page.click("text=アンケートを作成")
        page.fill("input[name=title]", "ご利用アンケート")
        page.select_option("select[name=q1_kind]", "single")
        page.fill("input[name=q1_prompt]", "商品をお使いですか")
        page.fill("input[name=q1_c1_label]", "はい")
        page.fill("input[name=q1_c1_tag]", "利用者")
        page.fill("input[name=q1_c2_label]", "いいえ")
        page.click("button[value=add_question]")
        page.select_option("select[name=q2_kind]", "text")
        expect(page.locator("[data-question='2'] [data-choices]")).to_be_hidden()  # a text question takes none
        page.fill("input[name=q2_prompt]", "お使いでない理由を教えてください")
        page.uncheck("input[name=q2_required]")
        page.select_option("select[name=q2_show_if]", label="Q1「商品をお使いですか」が「いいえ」のとき")
        page.click("button[value=add_question]")
        page.select_option("select[name=q3_kind]", "nps")
        page.fill("input[name=q3_prompt]", "友人にすすめる可能性はどのくらいですか")
        screenshot(page, "survey-builder", tmp_path)
        page.click("button[value=save]")
        assert "を保存しました" in page.text_content(".adm-flash")
        page.click("button:text('公開する')")
        assert "を公開しました" in page.text_content(".adm-flash")
        survey_id = int(page.url.rstrip("/").split("/")[-1])
        with community.reader() as s:
            survey = s.get(Survey, survey_id)
            assert survey.published_at is not None
            second = s.scalar(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id,
                                                           SurveyQuestion.position == 2))
            assert second.show_if_choice_id is not None and second.required is False

        _answer(console, survey_id, [10, 9, 9, 7, 3])  # 3 promoters, 1 passive, 1 detractor: NPS +40
        page.reload()
        assert page.text_content("[data-stat=responses]") == "5件"
        assert page.text_content(".svy-nps strong") == "+40"
        chart = page.locator("svg[role=img]").first  # Q1's bar chart
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 40
        assert "はい 4件（80%）、いいえ 1件（20%）" in chart.locator("desc").text_content()
        assert "推奨者（9〜10）：3人（60.0%）" in page.text_content("main")
        answers = page.locator("#answers .svy-text__body")
        assert answers.count() == 1 and answers.first.text_content() == XSS
        assert page.locator("#answers img").count() == 0
        assert page.evaluate("window.__xss") is None
        screenshot(page, "survey-results", tmp_path)
        assert violations == []
