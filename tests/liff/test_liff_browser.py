"""LIFF pages in a real browser (Debian Chromium, phone screen), signed in through the stand-in LIFF SDK with
ID tokens the fake platform issues and the app verifies over HTTP."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from linecomm.members.models import Member
from tests.support.browser import screenshot
from tests.support.liff import expired_session_cookie

pytestmark = pytest.mark.browser
VERIFY = "/oauth2/v2.1/verify"


def _verify_count(community) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for r in community.fake.requests if r.path == VERIFY)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_deep_link_signs_in_and_my_page_refuses_then_takes_a_nickname(community, liff_member, liff_browser,
                                                                       tmp_path: Path):
    hana = liff_member(nickname="はな")
    liff_member(nickname="そら")
    page = liff_browser.open_as(hana.line_user_id, "/liff/?liff.state=%2Fme")
    page.wait_for_url(community.base_url + "/liff/me")  # liff.init()'s secondary redirect
    page.wait_for_selector("input#nickname")
    assert page.input_value("input#nickname") == "はな"
    assert _verify_count(community) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone

    page.fill("input#nickname", "そら")
    page.click("form[data-liff-form] button[type=submit]")
    error = page.wait_for_selector("#nickname-error")
    assert "すでに使われています" in error.text_content()
    assert page.input_value("input#nickname") == "そら"  # what they typed stays
    screenshot(page, "liff-my-page-error", tmp_path)

    page.fill("input#nickname", "はなまる")
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("text=ニックネームを変更しました。")
    assert page.input_value("input#nickname") == "はなまる"
    with community.reader() as s:
        assert s.get(Member, hana.member_id).nickname == "はなまる"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_expired_page_session_signs_in_again_on_submit_without_losing_the_text(community, liff_member,
                                                                                  liff_browser):
    hana = liff_member(nickname="はな")
    page = liff_browser.open_as(hana.line_user_id, "/liff/me")
    page.wait_for_selector("input#nickname")
    page.fill("input#nickname", "ゆっくり書いた名前")
    page.context.add_cookies([{"name": "linecomm_liff", "value": expired_session_cookie(community, hana.line_user_id),
                               "url": community.base_url}])
    before = _verify_count(community)
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("text=ニックネームを変更しました。")
    assert page.input_value("input#nickname") == "ゆっくり書いた名前"
    assert _verify_count(community) == before + 1  # a fresh sign-in, verified by LINE (the fake)
    with community.reader() as s:
        assert s.get(Member, hana.member_id).nickname == "ゆっくり書いた名前"

    # The page stayed open so long that the SDK's ID token expired too: the typed text is kept over a reload.
    expired_token = community.fake.issue_liff_id_token(hana.line_user_id, expires_in=0)
    served: list[str] = []

    def stale_first(route):  # type: ignore[no-untyped-def]
        if served:
            route.continue_()
        else:
            served.append(expired_token)
            route.fulfill(status=200, content_type="application/json",
                          body=json.dumps({"idToken": expired_token, "inClient": True}))

    page.route("**/liff-sdk/token", stale_first)
    page.reload()
    page.wait_for_function("window.liff && liff.isLoggedIn()")
    page.fill("input#nickname", "二回目の名前")
    page.context.add_cookies([{"name": "linecomm_liff", "value": expired_session_cookie(community, hana.line_user_id),
                               "url": community.base_url}])
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("#lf-status >> text=LINEでの確認をやり直しました")
    assert page.input_value("input#nickname") == "二回目の名前"
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("text=ニックネームを変更しました。")
    with community.reader() as s:
        assert s.get(Member, hana.member_id).nickname == "二回目の名前"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_forged_and_expired_tokens_are_refused_in_japanese_and_a_slow_line_offers_a_retry(community, liff_member,
                                                                                        liff_browser):
    hana = liff_member(nickname="はな")
    page = liff_browser.page
    good = community.fake.issue_liff_id_token(hana.line_user_id)
    header, payload, signature = good.split(".")
    tokens = iter([f"{header}.{payload}.{signature[::-1]}",  # forged signature
                   community.fake.issue_liff_id_token(hana.line_user_id, expires_in=0)])
    page.route("**/liff-sdk/token", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"idToken": next(tokens), "inClient": True})))
    liff_browser.open_as(hana.line_user_id, "/liff/me")
    assert "本人確認ができませんでした" in page.wait_for_selector("#lf-status p").text_content()
    assert page.locator("input#nickname").count() == 0
    page.reload()
    page.wait_for_selector("#lf-status >> text=有効期限が切れました")
    assert page.locator("input#nickname").count() == 0
    page.unroute("**/liff-sdk/token")

    community.fake.inject_fault(VERIFY, status=500, method="POST")
    page.reload()
    page.wait_for_selector("#lf-status >> text=時間がかかっています")
    page.click("[data-liff-retry]")
    page.wait_for_selector("input#nickname")  # signed in on the second try

    # Outside LINE with nobody signed in to LINE: liff.login(), as LINE recommends.
    page.context.clear_cookies()
    page.goto(community.base_url + "/liff/me")
    page.wait_for_url("**/liff-sdk/login?redirectUri=*")
    page.fill("input#user", hana.line_user_id)
    page.click("button[type=submit]")
    page.wait_for_selector("input#nickname")
    assert page.url == community.base_url + "/liff/me"
