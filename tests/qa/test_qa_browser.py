"""On a phone screen through the stand-in LIFF SDK: a member asks a question (live counter, an error beside
the field, then sent), another member answers it, and the asker marks that answer best."""
from __future__ import annotations

from pathlib import Path

import pytest

from linecomm.qa import copy
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ask_get_an_answer_and_mark_it_best(community, liff_member, liff_browser, tmp_path: Path) -> None:
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    page = liff_browser.open_as(hana.line_user_id, "/liff/?liff.state=%2Fqa%2Fnew")
    page.wait_for_url(f"{community.base_url}/liff/qa/new")
    page.fill("#qa-title", "<b>保冷バッグ</b>の洗い方")
    page.wait_for_selector(f"#qa-title + .qa-counter:text-is('16 / {copy.TITLE_MAX}文字')")  # the live counter
    page.select_option("#qa-category", "usage")
    page.click("form[data-liff-form] button[type=submit]")  # no text yet
    page.wait_for_selector('[data-error-for="body"]')
    assert page.text_content('[data-error-for="body"]') == copy.BODY_REQUIRED
    assert page.input_value("#qa-title") == "<b>保冷バッグ</b>の洗い方"
    page.fill("#qa-body", "内側が汚れてしまいました。")
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("[data-notice]")
    assert page.text_content("h1.qa-title") == "<b>保冷バッグ</b>の洗い方"  # shown as text
    question_url = page.url.split("?")[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page = liff_browser.open_as(sora.line_user_id, "/liff/?liff.state=" + question_url.split("/liff", 1)[1]
                                .replace("/", "%2F"))
    page.wait_for_selector("[data-answer-form]")
    assert page.locator("[data-choose-best]").count() == 0
    page.fill("#qa-answer", "中性洗剤を薄めて拭いています。")
    page.click("[data-answer-form] button[type=submit]")
    page.wait_for_selector("[data-answer-body]")
    assert copy.ANSWERED in page.text_content("[data-notice]")

    page = liff_browser.open_as(hana.line_user_id, "/liff/?liff.state=" + question_url.split("/liff", 1)[1]
                                .replace("/", "%2F"))
    page.wait_for_selector("[data-choose-best]")
    page.click("[data-choose-best]")
    page.wait_for_selector("[data-best]")
    assert copy.BEST_CHOSEN in page.text_content("[data-notice]")
    assert page.text_content("[data-status]") == copy.STATUS_SOLVED
    assert page.locator("[data-choose-best]").count() == 0
    screenshot(page, "qa-best-answer", tmp_path)
