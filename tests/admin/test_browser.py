"""The console in a real browser (Debian Chromium via Playwright): sign in, create an invite code, find a
member, approve a held post, see a held photo — and attacker-controlled nicknames and posts render as
harmless text."""
from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.moderation import ngwords
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.themes import posts
from linecomm.themes import service as themes
from tests.admin.console import PASSWORD, Console, make_member
from tests.support.browser import chromium_page, screenshot

pytestmark = pytest.mark.browser

XSS_NICKNAME = '<img src=x onerror="window.__xss=1">'
XSS_DISPLAY = "</td><script>window.__xss=2</script>"
XSS_POST = '<script>window.__xss=3</script><img src=x onerror="window.__xss=4">バカ'


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small orange PNG a browser really decodes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def browser_page() -> Iterator[object]:
    with chromium_page(timeout_ms=10_000) as page:
        yield page


def test_a_moderator_and_marketer_day_in_the_browser(console: Console, browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    community = console.community
    email = console.staff("owner", name="店長")
    with community.session() as s:
        ngwords.add(s, "バカ", "hold")
        hana = make_member(s, nickname="はなまる", display_name="佐藤 花子", cohort="0期生")
        evil = make_member(s, nickname=XSS_NICKNAME, display_name=XSS_DISPLAY, cohort="0期生")
        for i in range(8):
            make_member(s, nickname=f"会員{i}", display_name=f"ユーザー{i}", cohort="1期生")
        held = moderation.submit(s, evil.id, ContentKind.THEME_REPLY, XSS_POST, ref="theme:1").id
        moderation.submit(s, hana.id, ContentKind.THEME_REPLY, "副業 の話はしていません", ref="theme:1")
        post = posts.create_post(s, posts.PostDraft(title="お気に入りの一枚", text="写真を送ってください"))
        photo = themes.record_answer(s, post, hana, kind="image", body="", line_message_id="600000000000000001",
                                     now=utcnow()).item.id
    community.fake.add_content("600000000000000001", _png(), "image/png")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    base = community.base_url
    page.goto(base + "/admin/")
    assert page.url.startswith(base + "/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/admin/")
    assert "店長さん、おつかれさまです" in page.text_content("h1")

    # Create an invite code.
    page.click("nav >> text=招待コード")
    page.fill("input[name=cohort]", "2期生")
    page.fill("input[name=max_uses]", "30")
    page.fill("input[name=expires_on]", "2030-03-31")
    page.click("main form button[type=submit]")
    flash = page.text_content(".adm-flash")
    assert flash and "を作成しました" in flash
    code = flash.split("招待コード ")[1].split(" ")[0]
    assert page.locator("table >> text=" + code).count() == 1
    assert "0 / 30" in page.text_content("table")

    # Find a member, open them.
    page.click("nav >> text=メンバー")
    page.fill("input[name=q]", "ハナ")
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    page.click("tbody >> text=はなまる")
    assert "佐藤 花子" in page.text_content("main")

    # The attacker's nickname and display name are text, everywhere.
    page.goto(base + "/admin/members?cohort=0期生")
    assert XSS_NICKNAME in page.text_content("main")
    assert XSS_DISPLAY in page.text_content("main")
    screenshot(page, "members", tmp_path)
    page.goto(base + f"/admin/members/{evil.id}")
    assert XSS_NICKNAME in page.text_content("h1")

    # Approve the held post from the queue.
    page.click("nav >> text=投稿の確認")
    item = page.locator(f"#item-{held}")
    assert XSS_POST in item.locator(".adm-post__body").text_content()
    assert item.locator(".adm-post__body img, .adm-post__body script").count() == 0
    # The photo a member sent waits in the queue, and the moderator sees the picture itself (same origin).
    picture = page.locator(f"#item-{photo} img.adm-answer-image")
    page.wait_for_function("img => img.complete && img.naturalWidth === 4", arg=picture.element_handle())
    screenshot(page, "moderation", tmp_path)
    item.locator("button[value=approve]").click()
    assert "投稿を承認しました" in page.text_content(".adm-flash")
    with community.session() as s:
        assert s.scalar(select(ContentItem.state).where(ContentItem.id == held)) == ContentState.PUBLISHED

    # The NG-word test box answers as you type (script from 'self', allowed by the CSP).
    page.click("nav >> text=NGワード")
    page.fill("textarea[name=text]", "ば.か")
    page.wait_for_selector("[data-ng-result] >> text=承認まで保留")
    page.fill("textarea[name=text]", XSS_POST)
    page.wait_for_selector("[data-ng-result] >> text=バカ")
    assert page.locator("[data-ng-result] img").count() == 0

    # On a phone the member list becomes cards and stays usable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/admin/members")
    assert page.locator("tbody tr").first.is_visible()
    screenshot(page, "members-phone", tmp_path)

    assert page.evaluate("window.__xss") is None, "a script from member content ran"
    assert dialogs == []
    assert violations == [], violations  # nothing of ours needed an inline script or style
