"""Before points expire, each member hears once per expiry date (the points of that day's grants summed),
through the outbox under `points-expiry:<member>:<date>`; running the daily step again sends nothing more;
grants expiring later are not told yet; in quiet hours the warning waits for their end."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from linecomm.actions.service import ActionKind
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.points import copy, jobs, ledger, rules
from linecomm.timezones import JST
from tests.points.helpers import record
from tests.points.test_ranks import MIDDAY, TODAY, jst
from tests.support.community import Community

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def warnings(community: Community, line_user_id: str) -> list[str]:
    return [m["text"] for m in community.fake.messages_to(line_user_id) if "有効期限が切れます" in m.get("text", "")]


def test_members_are_warned_once_per_expiry_date(community: Community, liff_member) -> None:
    person = liff_member(nickname="きげん")
    with community.session() as s:
        rules.set_rule(s, ActionKind.SURVEY_RESPONSE, 40, None, 1, "m@example.com")
        rules.set_rule(s, ActionKind.VOTE, 5, None, 1, "m@example.com")
    soon = jst(TODAY - timedelta(days=25), 12)  # a month on: within the next 14 days
    later = jst(TODAY - timedelta(days=5), 12)  # a month on: more than 14 days away
    record(community, person.member_id, ActionKind.SURVEY_RESPONSE, "survey-response:e1", at=soon)
    record(community, person.member_id, ActionKind.VOTE, "vote:e1", at=soon + timedelta(hours=2))  # same day
    record(community, person.member_id, ActionKind.SURVEY_RESPONSE, "survey-response:e2", at=later)
    for _ in range(2):  # the daily step runs twice (a retry, a second worker): told once
        with community.session() as s:
            jobs.expire_now(s, MIDDAY, community.settings.liff_id)
        community.drain()
    expires = ledger.expiry_after(soon, 1)
    assert expires is not None
    day = (expires - timedelta(seconds=1)).astimezone(JST).date()
    url = f"https://liff.line.me/{community.settings.liff_id}/points"
    assert warnings(community, person.line_user_id) == [copy.expiry_warning(day, 45, url)[0]["text"]]
    assert f"{day.month}月{day.day}日" in warnings(community, person.line_user_id)[0]
    with community.reader() as s:
        keys = list(s.scalars(select(OutboundMessage.idempotency_key)
                              .where(OutboundMessage.member_id == person.member_id)))
    assert keys == [f"points-expiry:{person.member_id}:{day.isoformat()}"]


def test_a_warning_in_quiet_hours_waits_for_their_end(community: Community, liff_member) -> None:
    person = liff_member(nickname="よる")
    with community.session() as s:
        rules.set_rule(s, ActionKind.SURVEY_RESPONSE, 40, None, 1, "m@example.com")
    record(community, person.member_id, ActionKind.SURVEY_RESPONSE, "survey-response:q1",
           at=jst(TODAY - timedelta(days=25), 12))
    night = jst(TODAY, 0, 5)  # the first pass of the JST day runs in the night
    with community.session() as s:
        jobs.expire_now(s, night, community.settings.liff_id)
    community.drain()
    assert warnings(community, person.line_user_id) == []
    with community.reader() as s:
        row = s.scalar(select(OutboundMessage).where(OutboundMessage.member_id == person.member_id))
        assert row is not None and row.status == OutboundStatus.PENDING and row.not_before == jst(TODAY, 9)
