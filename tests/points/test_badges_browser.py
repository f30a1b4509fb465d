"""In Chromium on a phone screen, through the stand-in LIFF SDK: my page's badge block. A member who earned a
declarative badge (their first theme answer) and was given a manual one whose name and description try
markup, and had another manual one revoked, sees the two badges held by name, as text, not the revoked one;
no script runs and nothing overflows 360 px. A member without badges sees the empty-state line."""
from __future__ import annotations

from pathlib import Path

import pytest

from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.points import badge_copy, badges
from tests.points.helpers import record
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)>"
MANUAL_NAME = f"感謝状{XSS}"
REVOKED_NAME = "取り消されたバッジ"


def _manual(community, member_id: int, name: str, description: str, revoke: bool = False) -> None:
    now = utcnow()
    with community.session() as s:
        badge = badges.create_manual(s, name, description, "", "", "m@example.com", now)
        assert badges.award(s, member_id, badge.code, by="m@example.com", reason="いつもありがとう", now=now)
        if revoke:
            assert badges.revoke(s, member_id, badge.code, by="m@example.com", reason="誤って付与", now=now)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_my_page_badge_block_in_a_phone_browser(community, liff_member, liff_browser, tmp_path: Path) -> None:
    person = liff_member(nickname="ばっじ")
    record(community, person.member_id, ActionKind.THEME_ANSWER, "theme-answer:badge-b1")  # はじめての回答
    _manual(community, person.member_id, MANUAL_NAME, f"いつもありがとうございます{XSS}")
    _manual(community, person.member_id, REVOKED_NAME, "表示されないはずです", revoke=True)
    dialogs: list[str] = []
    liff_browser.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    blocked: list[str] = []  # the page's CSP would stop an injected handler: Chromium says so in the console
    liff_browser.page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))

    page = liff_browser.open_as(person.line_user_id, "/liff/?liff.state=%2Fme")
    page.wait_for_selector("[data-badges-held]")
    names = page.locator("[data-badges-held] .bd-name").all_text_contents()
    assert names == ["はじめての回答", MANUAL_NAME]  # catalogue order: built-ins first
    descriptions = page.locator("[data-badges-held] .bd-desc").all_text_contents()
    assert f"いつもありがとうございます{XSS}" in descriptions
    block = page.text_content("[data-my-badges]")
    assert REVOKED_NAME not in block and "表示されないはずです" not in block
    assert page.locator("[data-my-badges] img").count() == 0  # the markup stayed text
    assert page.locator("[data-badges-held] [data-badge-new]").count() == 2  # both granted just now
    page.wait_for_timeout(200)  # an injected <img src=x> would have failed to load and fired by now
    assert dialogs == [] and blocked == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "badges-my-page", tmp_path)

    newcomer = liff_member(nickname="まだこれから")
    page = liff_browser.open_as(newcomer.line_user_id, "/liff/?liff.state=%2Fme")
    page.wait_for_selector("[data-my-badges]")
    assert page.locator("[data-badges-held]").count() == 0
    assert page.text_content("[data-my-badges] > p").strip() == badge_copy.NONE_YET
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert dialogs == [] and blocked == []
