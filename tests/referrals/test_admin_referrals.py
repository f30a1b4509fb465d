"""The referrals page in the console: invites shared, arrivals, joins attributed, top referrers with links to
member pages; marketers and owners only (the role matrix covers who may open it)."""
from __future__ import annotations

import html
from typing import Any

from tests.admin.console import Console
from tests.referrals.support import code_from_page, invite_code, join_in_chat, member_id_of, newcomer


def _field(page: str, name: str, scope: str = "") -> str:
    start = page.index(scope) if scope else 0
    marker = f'data-field="{name}">'
    at = page.index(marker, start) + len(marker)
    return page[at:page.index("<", at)]


def test_the_page_counts_shares_arrivals_and_joins_and_links_the_referred_members(
        console: Console, liff_member: Any, liff_client: Any) -> None:
    community = console.community
    hana, taro = liff_member(nickname="はな"), liff_member(nickname="たろ")
    hana_client = liff_client(hana.line_user_id)
    code = code_from_page(hana_client.get("/liff/invite").get_data(as_text=True))
    taro_code = code_from_page(liff_client(taro.line_user_id).get("/liff/invite").get_data(as_text=True))
    for _ in range(3):
        assert hana_client.post("/liff/invite/shared").status_code == 200
    assert liff_client(taro.line_user_id).post("/liff/invite/shared").status_code == 200
    cohort = invite_code(community)
    joined = []
    for nickname in ("しんじん<b>", "ふたりめ"):
        new = newcomer(community)
        liff_client(new.user_id).post("/liff/invite/join", data={"ref": code})
        join_in_chat(community, new, cohort, nickname)
        joined.append(member_id_of(community, new.user_id))
    waiting = newcomer(community)  # accepted taro's invite, not joined yet
    liff_client(waiting.user_id).post("/liff/invite/join", data={"ref": taro_code})

    marketer = console.client("marketer")
    response = marketer.get("/admin/referrals")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    totals = {name: _field(page, name, "data-totals") for name in
              ("shares", "sharing_members", "arrivals", "pending", "joins", "not_counted")}
    assert totals == {"shares": "4", "sharing_members": "2", "arrivals": "3", "pending": "1", "joins": "2",
                      "not_counted": "0"}
    top = page[page.index("data-top"):page.index("data-recent")]
    assert top.index(f'data-member="{hana.member_id}"') < top.index(f'data-member="{taro.member_id}"')
    hana_row = top[top.index(f'data-member="{hana.member_id}"'):top.index(f'data-member="{taro.member_id}"')]
    assert (_field(hana_row, "joins"), _field(hana_row, "arrivals"), _field(hana_row, "shares")) == ("2", "2", "3")
    recent = page[page.index("data-recent"):]
    for member_id in joined:
        assert f'href="/admin/members/{member_id}"' in recent
    assert "しんじん&lt;b&gt;" in recent and "しんじん<b>" not in recent  # nicknames escaped
    assert "しんじん<b>" in html.unescape(recent)
    assert console.client("moderator").get("/admin/referrals").status_code == 403
