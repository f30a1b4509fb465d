"""Members see their points: 「ポイント」 (ぽいんと, ﾎﾟｲﾝﾄ) in chat, through a signed webhook, replies with a
Flex bubble the fake platform accepts and that conforms to LINE's OpenAPI description; anyone else gets the
usual guidance; my page's 「ポイント」 block shows the balance, lifetime total and the latest rows."""
from __future__ import annotations

from linecomm.actions.service import ActionKind
from linecomm.members import copy as members_copy
from linecomm.members.models import MemberStatus
from linecomm.points import rules
from tests.points.helpers import record
from tests.support.community import ChatUser, Community
from tests.support.line_openapi import assert_conforms_to_openapi


def test_points_keyword_replies_with_a_flex_bubble(community: Community, liff_member) -> None:
    person = liff_member(nickname="ぽいんと好き")
    record(community, person.member_id, ActionKind.THEME_ANSWER, "theme-answer:c1")
    record(community, person.member_id, ActionKind.IDEA_ADOPTED, "idea-adopted:1")
    community.drain()  # the rank-up to ブロンズ is pushed (or held for quiet hours) before the keyword is sent
    user = ChatUser(community, person.line_user_id, "ぽいんと好き")
    for word in ("ポイント", "ﾎﾟｲﾝﾄ"):
        before = len(user.received())
        assert user.say(word).status == 200
        community.drain()
        received = user.received()
        assert len(received) == before + 1
        flex = received[-1]
        assert flex["type"] == "flex" and flex["altText"] == "ポイント残高：510pt（累計 510pt・ブロンズ）"
        texts = [c.get("text") for c in flex["contents"]["body"]["contents"]]
        assert "510pt" in texts
        assert flex["contents"]["footer"]["contents"][0]["action"]["uri"] == (
            f"https://liff.line.me/{community.settings.liff_id}/points")
    assert_conforms_to_openapi(community.fake.requests)

    guest = liff_member(nickname="ゲスト", status=MemberStatus.FOLLOWER)
    guest_user = ChatUser(community, guest.line_user_id, "ゲスト")
    assert guest_user.say("ぽいんと").status == 200
    community.drain()
    assert guest_user.last_text() == members_copy.guest_guidance()[0]["text"]


def test_my_page_shows_balance_lifetime_and_history(community: Community, liff_member, liff_client) -> None:
    person = liff_member(nickname="まいぺーじ")
    client = liff_client(person.line_user_id)
    empty = client.get("/liff/me").get_data(as_text=True)
    assert "<h2>ポイント</h2>" in empty and "まだポイントの履歴はありません" in empty
    with community.session() as s:
        rules.set_rule(s, ActionKind.SURVEY_RESPONSE, 30, None, 12, "m@example.com")
    record(community, person.member_id, ActionKind.SURVEY_RESPONSE, "survey-response:p1")
    for n in range(22):
        record(community, person.member_id, ActionKind.REACTION, f"theme-reaction:p:{n}")
    page = client.get("/liff/me").get_data(as_text=True)
    assert "52pt" in page and page.count("data-points-entry") == 20
    assert "リアクション" in page
    full = client.get("/liff/points").get_data(as_text=True)
    assert full.count("data-points-entry") == 23 and "アンケートへの回答" in full and "有効期限" in full
    assert liff_client(None).get("/liff/points").status_code in (200, 401)  # anonymous: the sign-in shell
