"""In Chromium on a phone screen, through the stand-in LIFF SDK: a member who answered, was given points by
hand (with a reason that tries markup) opens my page and the points page; the block shows the balance and
the rows in Japanese, the reason as text, and fits the screen."""
from __future__ import annotations

from pathlib import Path

import pytest

from linecomm.actions.service import ActionKind
from linecomm.points import service
from tests.points.helpers import record
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_my_page_and_points_page_in_a_phone_browser(community, liff_member, liff_browser, tmp_path: Path) -> None:
    person = liff_member(nickname="ぶらうざ")
    record(community, person.member_id, ActionKind.THEME_ANSWER, "theme-answer:b1")
    with community.session() as s:
        service.grant_manual(s, person.member_id, 40, f"お礼{XSS}", "browser1", "m@example.com")
    page = liff_browser.open_as(person.line_user_id, "/liff/?liff.state=%2Fme")
    page.wait_for_selector("[data-my-points]")
    assert page.text_content("[data-points-balance]") == "50pt"
    rows = page.locator("[data-points-entry]").all_text_contents()
    assert len(rows) == 2 and f"運営より：お礼{XSS}" in rows[0] and "テーマへの回答" in rows[1]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "points-my-page", tmp_path)
    page = liff_browser.open_as(person.line_user_id, "/liff/?liff.state=%2Fpoints")
    page.wait_for_url(f"{community.base_url}/liff/points")
    page.wait_for_selector("[data-points-history]")
    assert page.locator("img").count() == 0
