"""In Chromium on a phone screen, through the stand-in LIFF SDK: a member supports an idea, takes the support
back and supports again, and comments (with a live counter, an error beside the field, and an XSS payload
shown as text); then a marketer moves the idea to 採用 with an official answer in the console, and the
author and the supporter each receive it once from the delivery engine."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from linecomm.ideas.models import IdeaStage
from tests.admin.console import Console
from tests.ideas.helpers import idea_row, post_idea
from tests.pushes.desk import Desk
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_support_withdraw_comment_then_adopted_answer_reaches_each_once(community, liff_member, liff_client,
                                                                         liff_browser, tmp_path: Path) -> None:
    desk = Desk(community)
    desk.no_quiet_hours()
    author = liff_member(nickname="あきこ")
    idea_id = post_idea(liff_client(author.line_user_id), title="持ち手つきの保存容器")
    fan = liff_member(nickname="ゆうた")
    page = liff_browser.open_as(fan.line_user_id, f"/liff/?liff.state=%2Fideas%2F{idea_id}")
    page.wait_for_url(f"{community.base_url}/liff/ideas/{idea_id}")
    page.wait_for_selector("[data-support]")

    page.click("[data-support]")
    page.wait_for_selector("[data-withdraw]")
    assert "応援 1人" in page.text_content("[data-support-count]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "idea-supported", tmp_path)
    page.click("[data-withdraw]")
    page.wait_for_selector("[data-support]")
    assert "応援 0人" in page.text_content("[data-support-count]")
    assert idea_row(community, idea_id).support_count == 0
    page.click("[data-support]")
    page.wait_for_selector("[data-withdraw]")

    page.fill("#comment-body", "あ" * 501)
    assert page.text_content('[data-counter-for="comment-body"]') == "500 / 500"  # maxlength holds it
    page.fill("#comment-body", "   ")
    page.click("[data-send-comment]")
    page.wait_for_selector('[data-error-for="body"]')
    page.fill("#comment-body", "ぜひ欲しいです！" + XSS)
    assert page.text_content('[data-counter-for="comment-body"]') == f"{len('ぜひ欲しいです！' + XSS)} / 500"
    page.click("[data-send-comment]")
    page.wait_for_selector("[data-comment]")
    assert XSS in page.text_content("[data-comment]")  # shown as text, not an element
    assert page.locator("[data-comment] img").count() == 0
    screenshot(page, "idea-commented", tmp_path)
    idea = idea_row(community, idea_id)
    assert (idea.support_count, idea.comment_count) == (1, 1)

    console = Console(community)
    marketer = console.client("marketer")
    sent = marketer.post(f"/admin/ideas/{idea_id}/stage", {"stage": "adopted", "answer": "来春に商品化します。"})
    assert sent.status_code == 303
    desk.wait_for(lambda: Counter(desk.accepted_recipients()) ==
                  Counter({author.line_user_id: 1, fan.line_user_id: 1}))
    assert idea_row(community, idea_id).stage == IdeaStage.ADOPTED
    page.reload()
    page.wait_for_selector("[data-official-answer]")
    assert "来春に商品化します。" in page.text_content("[data-official-answer]")
    assert page.locator("[data-support]").count() == 0 and page.locator("[data-withdraw]").count() == 0
