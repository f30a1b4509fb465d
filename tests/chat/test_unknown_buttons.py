"""A button no feature handles — an unknown action, postback data that is not `action=...` at all — gets a
polite reply over a signed webhook, and its inbox row is done, not failed or retried."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.admin.console import make_member
from tests.support.community import Community

POLITE = "申し訳ありません。このボタンは現在ご利用いただけません。"


def _postback_rows(community: Community, user_id: str) -> list[tuple[str, int, str | None]]:
    with community.session() as s:
        rows = s.execute(
            select(WebhookEvent.status, WebhookEvent.attempts, WebhookEvent.last_error)
            .where(WebhookEvent.user_id == user_id, WebhookEvent.event_type == "postback")
            .order_by(WebhookEvent.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.parametrize("member", [False, True], ids=["guest", "member"])
def test_unknown_and_malformed_buttons_get_a_polite_reply_and_are_done(community: Community, member: bool) -> None:
    user = community.user("押し 太郎")
    if member:
        with community.session() as s:
            make_member(s, nickname="押し太郎", line_user_id=user.user_id)
    taps = ["action=teleport&to=moon", "%%%&&==;", "action=", "post=12&color=red", "\u3042=\u3044"]
    for data in taps:
        before = len(user.texts())
        assert user.tap(data).status == 200
        community.drain()
        assert user.texts()[before:] == [POLITE], data
    assert _postback_rows(community, user.user_id) == [(InboxStatus.DONE, 0, None)] * len(taps)
