"""A marketer sets up ranks, the ranked menu, the anti-farming rule and a manual badge in Chromium, with
markup in every name they type: the pages show it as text and no script runs."""
from __future__ import annotations

import pytest

from tests.admin.console import PASSWORD, Console
from tests.support.browser import chromium_page

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=window.__xss=1>"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_marketer_sets_up_ranks_the_menu_farming_and_a_badge(console: Console) -> None:
    community = console.community
    email = console.staff("marketer", name="設定")
    with chromium_page(timeout_ms=15_000) as page:
        page.goto(community.base_url + "/admin/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(community.base_url + "/admin/points/ranks")
        rank = "銅" + XSS[:15]  # 「銅<img src=x oner」: the name's 20 characters at most
        page.locator("[data-rank-form] input[name=name]").nth(1).fill(rank)
        page.click("[data-rank-form] button[type=submit]")
        page.wait_for_selector(f"[data-rank-history] >> text={rank}")  # saved, shown as text
        page.select_option("[data-rank-menu] select[name=from_level]", label=f"{rank}以上")
        page.click("[data-rank-menu] button[type=submit]")
        page.wait_for_selector("text=特典メニューの設定を保存しました")
        assert page.locator("[data-rank-menu] select[name=from_level]").input_value() == "1"

        page.goto(community.base_url + "/admin/points/farming")
        page.uncheck("[data-farming-policy] input[name=enabled]")
        page.fill("[data-farming-policy] input[name=similarity]", "40")
        page.click("[data-farming-policy] button[type=submit]")
        page.wait_for_selector("text=類似度のしきい値は50〜100")  # refused, nothing saved
        page.fill("[data-farming-policy] input[name=similarity]", "85")
        page.click("[data-farming-policy] button[type=submit]")
        page.wait_for_selector("text=ポイント対象外とする投稿の設定を保存しました")
        assert not page.is_checked("[data-farming-policy] input[name=enabled]")
        assert page.input_value("[data-farming-policy] input[name=similarity]") == "85"

        page.goto(community.base_url + "/admin/badges")
        page.fill("[data-badge-create] input[name=name]", "常連" + XSS[:30])
        page.click("[data-badge-create] button[type=submit]")
        page.wait_for_selector("[data-badges-manual] >> text=常連<img src=x onerror=window")
        assert page.evaluate("window.__xss") is None
