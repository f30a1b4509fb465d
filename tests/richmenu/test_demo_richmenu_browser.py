"""The demo console shows the user's rich menu under the chat, as LINE does: the join menu before joining
(its 参加する area starts the join flow), the community menu after, whose マイページ opens the LIFF page as
the simulated user in a phone-sized frame."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from linecomm.richmenu.deploy import deploy
from tests.demo.test_chat_console import (  # noqa: F401  (fixtures)
    Browser,
    RunningDemo,
    _quick_reply,
    _send,
    _wait_for_account,
    browser,
    demo,
    migrated_sqlite,
)


@pytest.fixture
def demo_with_menus(demo: RunningDemo) -> Iterator[RunningDemo]:  # noqa: F811
    from linecomm.web_runtime import EXTENSION_KEY

    runtime = demo.app.extensions[EXTENSION_KEY]
    deploy(runtime.line, runtime.sessions, runtime.settings)  # as `linecomm demo` does at start
    yield demo


def _area(page: Any, label: str) -> Any:
    return page.locator(f'#rich-menu .richmenu__area[data-label="{label}"]')


@pytest.mark.browser
def test_the_menu_switches_on_joining_and_opens_my_page_in_a_frame(
        demo_with_menus: RunningDemo, browser: Browser) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page = browser.page
    page.goto(demo_with_menus.base_url + "/demo/chat")
    page.get_by_label("新しいユーザーの表示名").fill("メニュー 太郎")
    page.get_by_role("button", name="ユーザーを作成").click()
    page.get_by_role("button", name="友だち追加").click()
    _wait_for_account(page, "友だち追加ありがとうございます")
    expect(page.locator("#rich-menu-bar")).to_contain_text("メニュー")
    _area(page, "参加する").click()  # a message area: said as the user, the join flow answers
    _wait_for_account(page, "招待コードを入力してください")
    _send(page, "WELCOME1")
    _quick_reply(page, "同意する")
    _wait_for_account(page, "ニックネーム")
    _send(page, "めにゅう")
    _wait_for_account(page, "めにゅう")
    expect(_area(page, "マイページ")).to_be_visible()  # the community menu, linked by the job
    expect(_area(page, "参加する")).to_have_count(0)
    page.locator("#rich-menu-bar").click()  # the bar folds the menu away and back, as on LINE
    expect(_area(page, "マイページ")).to_be_hidden()
    page.locator("#rich-menu-bar").click()
    _area(page, "マイページ").click()
    frame = page.locator("#liff-frame")
    expect(frame).to_be_visible()
    box = frame.bounding_box()
    assert box is not None and box["width"] <= 375
    expect(page.locator("#liff-frame-page")).to_have_attribute(
        "src", re.compile(r"^/liff-sdk/as/U[0-9a-f]{32}\?next=%2Fliff%2Fme$"))
    my_page = page.frame_locator("#liff-frame-page")
    expect(my_page.get_by_role("heading", name="マイページ")).to_be_visible()  # signed in as the member
    expect(my_page.get_by_label("ニックネーム")).to_have_value("めにゅう")
    page.locator("#liff-frame-close").click()
    expect(frame).to_be_hidden()
    assert browser.problems == []
