"""Group chats are recorded and politely declined."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import select

from linecomm.webhooks.models import ChatGroup
from tests.support.community import Community


def test_the_account_declines_a_group_and_leaves_it(community: Community) -> None:
    group_id = "C" + uuid.uuid4().hex
    event = {
        "type": "join",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "group", "groupId": group_id},
        "webhookEventId": "01GROUP" + uuid.uuid4().hex[:19],
        "deliveryContext": {"isRedelivery": False},
        "replyToken": community.fake.issue_reply_token(group_id),
    }
    assert community.post_events([event]).status == 200
    community.drain()
    texts = [m["text"] for m in community.fake.messages_to(group_id)]
    assert any("1対1のトークでのみ" in t for t in texts)
    assert f"/v2/bot/group/{group_id}/leave" in [r.path for r in community.fake.requests]
    with community.session() as s:
        assert s.scalars(select(ChatGroup.chat_type).where(ChatGroup.chat_id == group_id)).one() == "group"
