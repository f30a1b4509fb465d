"""In Chromium on a phone screen through the stand-in LIFF SDK: a member shares their invite through the
share target picker (the message carries their link; the share is recorded), and a newcomer opening that
LIFF URL (path and query passed on by LINE's secondary redirect) signs in and accepts the invite."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from linecomm.referrals.models import ReferralArrival, ReferralShare
from tests.referrals.support import newcomer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_share_the_invite_then_a_newcomer_accepts_it_through_the_liff_url(community, liff_member,
                                                                          liff_browser) -> None:
    hana = liff_member(nickname="はな")
    page = liff_browser.open_as(hana.line_user_id, "/liff/?liff.state=%2Finvite")
    page.wait_for_url(f"{community.base_url}/liff/invite")
    code = page.get_attribute("[data-invite-url]", "data-code")
    page.click("[data-share]")
    page.wait_for_selector("[data-share-result][data-shared]")
    assert page.text_content("[data-share-result]") == "招待メッセージを送りました。ありがとうございます。"
    shared = page.evaluate("liff.sharedMessages")
    assert len(shared) == 1 and shared[0][0]["type"] == "text"
    assert f"https://liff.line.me/{community.settings.liff_id}/invite/join?ref={code}" in shared[0][0]["text"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with community.session() as s:
        assert s.scalars(select(ReferralShare.member_id)).all() == [hana.member_id]

    new = newcomer(community)  # LINE opens the LIFF URL /invite/join?ref=CODE as the endpoint + liff.state
    state = quote(f"/invite/join?ref={code}", safe="")
    page = liff_browser.open_as(new.user_id, f"/liff/?liff.state={state}")
    page.wait_for_url(f"{community.base_url}/liff/invite/join?ref={code}")
    page.wait_for_selector("form[data-liff-form] button[type=submit]")
    assert "はなさんから" in page.text_content("#lf-main")
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("[data-accepted]")
    with community.session() as s:
        assert s.scalars(select(ReferralArrival.referrer_member_id)
                         .where(ReferralArrival.line_user_id == new.user_id)).all() == [hana.member_id]
