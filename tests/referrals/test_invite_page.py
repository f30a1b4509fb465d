"""A member's invite page (LIFF): their personal code and link, stable; sharing recorded; my page's block."""
from __future__ import annotations

import html
from typing import Any

from sqlalchemy import func, select

from linecomm.members.models import MemberStatus
from linecomm.referrals.models import ReferralCode, ReferralShare
from tests.referrals.support import code_from_page
from tests.support.community import Community


def test_the_invite_page_shows_the_members_own_code_made_once_and_kept(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    first = client.get("/liff/invite")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    code = code_from_page(page)
    assert len(code) >= 12
    assert f"/invite/join?ref={code}" in page  # the link a newcomer opens
    assert "はなさんから、招待制コミュニティへのご招待です" in html.unescape(page)  # the message shared
    again = liff_client(hana.line_user_id).get("/liff/invite").get_data(as_text=True)
    assert code_from_page(again) == code
    other = liff_member(nickname="たろ")
    assert code_from_page(liff_client(other.line_user_id).get("/liff/invite").get_data(as_text=True)) != code
    with community.session() as s:
        assert s.scalar(select(func.count()).select_from(ReferralCode)) == 2


def test_the_invite_link_is_the_liff_url_when_the_account_has_a_liff_app(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    page = liff_client(hana.line_user_id).get("/liff/invite").get_data(as_text=True)
    code = code_from_page(page)
    liff_id = community.settings.liff_id
    assert liff_id
    assert f"https://liff.line.me/{liff_id}/invite/join?ref={code}" in page


def test_only_members_have_an_invite_page_and_shares_are_recorded_from_this_site_only(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    follower = liff_member(status=MemberStatus.FOLLOWER)
    refused = liff_client(follower.line_user_id).get("/liff/invite")
    assert refused.status_code == 403 and "メンバーの方のみ" in refused.get_data(as_text=True)
    assert liff_client(None).post("/liff/invite/shared").status_code == 401
    suspended = liff_member(nickname="とめ", status=MemberStatus.SUSPENDED)
    page = liff_client(suspended.line_user_id).get("/liff/invite")
    assert page.status_code == 200 and "招待リンクはお使いいただけません" in page.get_data(as_text=True)
    assert "data-share" not in page.get_data(as_text=True)
    assert liff_client(suspended.line_user_id).post("/liff/invite/shared").status_code == 403

    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    assert client.post("/liff/invite/shared", origin="https://evil.example").status_code == 403
    answer = client.post("/liff/invite/shared")
    assert answer.status_code == 200 and answer.get_json()["ok"] is True
    with community.session() as s:
        assert s.scalars(select(ReferralShare.member_id)).all() == [hana.member_id]


def test_my_page_links_to_the_invite_page(liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    page = liff_client(hana.line_user_id).get("/liff/me").get_data(as_text=True)
    assert "友だち紹介" in page and 'href="/liff/invite"' in page and 'data-referral-joins>0<' in page
