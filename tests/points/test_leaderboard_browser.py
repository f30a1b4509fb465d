"""In Chromium on a phone screen, through the stand-in LIFF SDK: a member opens the leaderboard from my page,
sees this month's board with their own row marked (a nickname that tries markup shows as text), switches to
the all-time tab, opts out with the toggle — their row vanishes at once while their place stays shown to
them — and opts back in."""
from __future__ import annotations

from pathlib import Path

import pytest

from linecomm.points import service
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser
MARKUP = "<b>ふとじ</b>"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_leaderboard_page_with_the_opt_out_toggle(community, liff_member, liff_browser, tmp_path: Path) -> None:
    me = liff_member(nickname="わたし")
    other = liff_member(nickname=MARKUP)
    with community.session() as s:
        service.grant_manual(s, me.member_id, 80, "テスト", "b1", "m@example.com")
        service.grant_manual(s, other.member_id, 120, "テスト", "b2", "m@example.com")
    page = liff_browser.open_as(me.line_user_id, "/liff/?liff.state=%2Fme")
    page.wait_for_selector("[data-my-leaderboard]")
    assert page.text_content("[data-my-rank]") == "あなた：2位・80pt"
    page.click("[data-leaderboard-link]")
    page.wait_for_selector("[data-leaderboard=monthly]")
    rows = page.locator("[data-standing]").all_text_contents()
    assert [" ".join(r.split()) for r in rows] == [f"1位{MARKUP}120pt", "2位わたし80pt"]
    assert page.locator("[data-standing] b").count() == 0
    assert page.text_content("[data-mine] .lb-name") == "わたし"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "leaderboard", tmp_path)

    page.click("[data-tab=all]")
    page.wait_for_selector("[data-leaderboard=all]")
    page.click("[data-visibility-toggle]")
    page.wait_for_selector("[data-leaderboard-saved]")
    assert page.locator("[data-leaderboard=all]").count() == 1  # back on the tab it was sent from
    assert page.locator("[data-standing]").count() == 1 and page.locator("[data-mine]").count() == 0
    assert page.text_content("[data-my-position]") == "あなた：2位・80pt"
    assert page.locator("[data-opted-out]").count() == 1
    page.click("[data-visibility-toggle]")
    page.wait_for_selector("[data-mine]")
    assert page.locator("[data-opted-out]").count() == 0
