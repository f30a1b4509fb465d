"""Signed-in browsers in a real browser (Debian Chromium via Playwright): one's account page lists them,
with a browser name an attacker chose shown as text, and "sign out everywhere" ends them all."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.admin.console import PASSWORD, Console, StaffClient
from tests.support.browser import chromium_page, screenshot

pytestmark = pytest.mark.browser

XSS_AGENT = '<img src=x onerror="window.__xss=1">Evil/1.0'
XSS_NAME = "</td><script>window.__xss=2</script>"


@pytest.fixture
def browser_page() -> Iterator[object]:
    with chromium_page(timeout_ms=10_000) as page:
        yield page


def test_the_account_page_lists_browsers_and_signs_out_everywhere(  # type: ignore[no-untyped-def]
    console: Console, browser_page, tmp_path: Path
) -> None:
    page = browser_page
    base = console.community.base_url
    email = console.staff("marketer", name=XSS_NAME)
    other = StaffClient(console.community.app.test_client(), email)
    other.http.environ_base["HTTP_USER_AGENT"] = XSS_AGENT
    assert other.login(email).status_code == 303
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(base + "/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/admin/")
    page.click("header >> a.adm-user__name")  # one's name at the top right opens the account page
    page.wait_for_url(base + "/admin/account")
    main = page.text_content("main") or ""
    assert XSS_NAME in main and XSS_AGENT in main
    rows = page.locator("main tbody tr")
    assert rows.count() == 2
    assert "この端末" in (rows.filter(has_text="HeadlessChrome").text_content() or "")
    assert page.locator("main tbody img, main tbody script").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "account-phone", tmp_path)

    page.click("main >> text=すべての端末からログアウト")
    page.wait_for_url(base + "/admin/login")
    assert "すべての端末からログアウトしました" in (page.text_content(".adm-flash") or "")
    assert dialogs and "すべての端末からログアウトします" in dialogs[0]
    page.goto(base + "/admin/members")
    assert page.url.startswith(base + "/admin/login")
    assert other.get("/admin/members").status_code == 303  # the other browser is out too
    assert page.evaluate("window.__xss") is None
    assert violations == [], violations
