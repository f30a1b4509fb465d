"""A member answers a survey in Chromium on a phone screen, signed in through the stand-in LIFF SDK: a deep
link, validation messages and their fixes, a question that appears with its choice, the thank-you, an edit,
and a closed survey."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.surveys import copy
from linecomm.surveys.models import SurveyResponse
from tests.support.browser import screenshot
from tests.surveys.factories import make_survey

pytestmark = pytest.mark.browser
QUESTIONS = [
    {"kind": "single", "prompt": "ご利用の頻度", "choices": ["毎日", "ときどき", "使っていない"]},
    {"kind": "text", "prompt": "使っていない理由", "show_if": (1, 3)},
    {"kind": "nps", "prompt": "友人におすすめする可能性"},
]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_answer_with_errors_and_fixes_edit_it_and_see_a_closed_survey(community, liff_member, liff_browser,
                                                                     tmp_path: Path) -> None:
    now = utcnow()
    with community.session() as s:
        made = make_survey(s, title="ご利用アンケート", questions=QUESTIONS, thank_you_message="ご協力に感謝します！")
        ended = make_survey(s, title="先月のアンケート", questions=QUESTIONS[:1], opens_at=now - timedelta(days=30),
                            closes_at=now - timedelta(days=1))
    hana = liff_member(nickname="はな")
    page = liff_browser.open_as(hana.line_user_id, f"/liff/?liff.state=%2Fsurveys%2F{made.id}")
    page.wait_for_url(f"{community.base_url}/liff/surveys/{made.id}")
    reason = page.locator(f'[data-question="{made.q(2)}"]')
    page.wait_for_selector("form[data-liff-form]")
    assert reason.is_hidden()

    page.click("form[data-liff-form] button[type=submit]")  # nothing answered
    page.wait_for_selector(f'[data-error-for="{made.q(1)}"]')
    assert page.text_content(f'[data-error-for="{made.q(1)}"]') == copy.CHOOSE_ONE
    assert page.text_content(f'[data-error-for="{made.q(3)}"]') == copy.NPS_RANGE
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "survey-errors", tmp_path)

    page.check("text=使っていない")
    reason.wait_for(state="visible")  # the question hanging on 使っていない appears
    page.check(f'[data-question="{made.q(3)}"] input[value="7"]')
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector(f'[data-error-for="{made.q(2)}"]')
    assert page.text_content(f'[data-error-for="{made.q(2)}"]') == copy.WRITE_SOMETHING
    assert page.is_checked(f'[data-question="{made.q(3)}"] input[value="7"]')  # what was picked stays
    page.fill(f'[data-question="{made.q(2)}"] textarea', "置き場所がなくて")
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("[data-thanks]")
    assert "ご協力に感謝します！" in page.text_content("[data-thanks]")
    assert "置き場所がなくて" in page.text_content("[data-my-answers]")

    page.click("[data-edit]")
    page.wait_for_selector("form[data-liff-form]")
    page.check("text=毎日")
    reason.wait_for(state="hidden")
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("[data-thanks]")
    answers = page.text_content("[data-my-answers]")
    assert "毎日" in answers and "置き場所" not in answers  # the hidden question's answer is dropped
    with community.reader() as s:
        response = s.scalar(select(SurveyResponse).where(SurveyResponse.member_id == hana.member_id))
        assert response is not None and response.edit_count == 1

    page.goto(f"{community.base_url}/liff/surveys/{ended.id}")
    state = page.wait_for_selector("[data-survey-state]")
    assert "受付は終了しました" in state.text_content()
    assert page.locator("form[data-liff-form]").count() == 0
    screenshot(page, "survey-closed", tmp_path)
