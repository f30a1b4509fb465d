"""A コミュニティモデレーター on a phone opens 「通報された投稿の確認」 through the stand-in LIFF SDK, hides a
reported post pending review, and is told politely when the day's limit is reached."""
from __future__ import annotations

from pathlib import Path

import pytest

from linecomm.ambassadors import copy, service
from linecomm.ambassadors.models import AppointmentRole
from linecomm.moderation.models import ContentItem, ContentState
from tests.ambassadors.helpers import reported_post
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_member_moderator_hides_a_reported_post_on_a_phone(community, liff_member, liff_browser,
                                                             tmp_path: Path) -> None:
    mod, author, reporter = (liff_member(nickname=n) for n in ("みまもり", "かきて", "つうほう"))
    first = reported_post(community, author.member_id, reporter.member_id, "<b>フリマ</b>で安くお譲りします。")
    second = reported_post(community, author.member_id, reporter.member_id, "もうひとつの投稿です。")
    with community.session() as s:
        service.set_rules(s, {**service.rules_dict(service.read_rules(s)), "required_badges": [],
                              "moderator_daily_limit": 1}, "owner@example.com")
        service.appoint(s, mod.member_id, AppointmentRole.MEMBER_MODERATOR, by="owner@example.com")

    page = liff_browser.open_as(mod.line_user_id, "/liff/?liff.state=%2Fmoderate")
    page.wait_for_url(f"{community.base_url}/liff/moderate")
    item = page.locator(f'[data-item="{first}"]')
    item.wait_for()
    assert "<b>フリマ</b>" in item.locator("[data-body]").text_content()  # text, not markup
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    item.locator("button[data-hide]").click()
    page.wait_for_selector("[data-hidden-done]")
    assert page.text_content("[data-hidden-done]") == copy.HIDDEN_DONE
    assert page.locator(f'[data-item="{first}"]').count() == 0
    with community.reader() as s:
        assert s.get(ContentItem, first).state == ContentState.HIDDEN
    screenshot(page, "member-moderator-hidden", tmp_path)

    page.locator(f'[data-item="{second}"] button[data-hide]').click()  # over today's limit of one
    page.wait_for_selector("#lf-status:not([hidden])")
    assert copy.LIMIT_REACHED.format(limit=1) in page.text_content("#lf-status")
    with community.reader() as s:
        assert s.get(ContentItem, second).state == ContentState.PUBLISHED
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
