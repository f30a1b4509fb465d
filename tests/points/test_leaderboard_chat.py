"""「ランキング」 in chat, through a signed webhook: a Flex carousel (this month's top 10 and all-time's, each
with the member's own place) that the fake platform accepts and that conforms to LINE's OpenAPI
description; nicknames go out as text; anyone who is not a member gets the usual guidance."""
from __future__ import annotations

import json

import pytest

from linecomm.members import copy as members_copy
from linecomm.members.models import MemberStatus
from linecomm.points import leaderboard, service
from tests.support.community import ChatUser, Community
from tests.support.line_openapi import assert_conforms_to_openapi


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ranking_keyword_replies_with_a_flex_carousel(community: Community, liff_member) -> None:
    people = [liff_member(nickname=f"メンバー{i:02d}長いニックネームです{'あ' * 20}") for i in range(12)]
    me = liff_member(nickname="わたし")
    with community.session() as s:
        for i, person in enumerate(people):
            service.grant_manual(s, person.member_id, 100 + i * 10, "テスト", f"c{i}", "m@example.com")
        service.grant_manual(s, me.member_id, 5, "テスト", "me", "m@example.com")
        leaderboard.set_hidden(s, me.member_id, True, community.runtime.clock())
    user = ChatUser(community, me.line_user_id, "わたし")
    for word in ("ランキング", "ﾗﾝｷﾝｸﾞ"):
        before = len(user.received())
        assert user.say(word).status == 200
        community.drain()
        received = user.received()
        assert len(received) == before + 1
        flex = received[-1]
        assert flex["type"] == "flex" and flex["altText"].startswith("今月のランキング")
        assert "あなた：13位・5pt" in flex["altText"]
        bubbles = flex["contents"]["contents"]
        assert [b["type"] for b in bubbles] == ["bubble", "bubble"]
        for bubble in bubbles:
            rows = [c for c in bubble["body"]["contents"] if c["type"] == "box"]
            assert len(rows) == 10 and rows[0]["contents"][0]["text"] == "1位"
            assert rows[0]["contents"][2]["text"] == "210pt"
            texts = [c.get("text") for c in bubble["body"]["contents"]]
            assert "あなた：13位・5pt" in texts and any("あなたにだけ表示" in (t or "") for t in texts)
            assert bubble["footer"]["contents"][0]["action"]["uri"] == (
                f"https://liff.line.me/{community.settings.liff_id}/leaderboard")
            assert len(json.dumps(bubble, ensure_ascii=False).encode()) < 10 * 1024
    assert_conforms_to_openapi(community.fake.requests)

    guest = liff_member(nickname="ゲスト", status=MemberStatus.FOLLOWER)
    guest_user = ChatUser(community, guest.line_user_id, "ゲスト")
    assert guest_user.say("ランキング").status == 200
    community.drain()
    assert guest_user.last_text() == members_copy.guest_guidance()[0]["text"]
