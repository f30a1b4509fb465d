"""Before points expire, each member hears at most once a fortnight, one message for everything expiring
in the next 14 days (the points summed), through the outbox under `points-expiry:<member>:<period>`:
running the daily step again, or the next day with more points expiring, sends nothing more; grants
expiring later are not told yet; in quiet hours the warning waits for their end."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from linecomm.actions.service import ActionKind
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.points import copy, expiry_notices, jobs, ledger, rules
from linecomm.timezones import JST
from tests.points.helpers import record
from tests.points.test_ranks import MIDDAY, TODAY, jst
from tests.support.community import Community

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def warnings(community: Community, line_user_id: str) -> list[str]:
    return [m["text"] for m in community.fake.messages_to(line_user_id) if "有効期限が切れます" in m.get("text", "")]


def test_members_are_warned_at_most_once_a_fortnight_for_all_that_expires(community: Community,
                                                                          liff_member) -> None:
    person = liff_member(nickname="きげん")
    with community.session() as s:
        rules.set_rule(s, ActionKind.SURVEY_RESPONSE, 40, None, 1, "m@example.com")
        rules.set_rule(s, ActionKind.VOTE, 5, None, 1, "m@example.com")
    soon = jst(TODAY - timedelta(days=25), 12)  # a month on: within the next 14 days
    next_day = soon + timedelta(days=1)  # expires the day after
    later = jst(TODAY - timedelta(days=5), 12)  # a month on: more than 14 days away
    record(community, person.member_id, ActionKind.SURVEY_RESPONSE, "survey-response:e1", at=soon)
    record(community, person.member_id, ActionKind.VOTE, "vote:e1", at=soon + timedelta(hours=2))  # same day
    record(community, person.member_id, ActionKind.VOTE, "vote:e2", at=next_day)
    record(community, person.member_id, ActionKind.SURVEY_RESPONSE, "survey-response:e2", at=later)
    # The step runs, again (a retry), and on the next day of the same fortnight: told once.
    start = MIDDAY if expiry_notices.period_of(MIDDAY.date()) == expiry_notices.period_of(
        MIDDAY.date() + timedelta(days=1)) else MIDDAY - timedelta(days=1)
    for when in (start, start, start + timedelta(days=1)):
        with community.session() as s:
            jobs.expire_now(s, when, community.settings.liff_id)
        community.drain()
    first = (ledger.expiry_after(soon, 1) - timedelta(seconds=1)).astimezone(JST).date()  # type: ignore[operator]
    last = (ledger.expiry_after(next_day, 1) - timedelta(seconds=1)).astimezone(JST).date()  # type: ignore[operator]
    url = f"https://liff.line.me/{community.settings.liff_id}/points"
    told = warnings(community, person.line_user_id)
    assert told == [copy.expiry_warning(first, last, 50, url)[0]["text"]]
    assert f"{first.month}月{first.day}日" in told[0] and f"{last.month}月{last.day}日" in told[0]
    assert "までに、合計50ポイントの有効期限が切れます" in told[0]
    with community.reader() as s:
        keys = list(s.scalars(select(OutboundMessage.idempotency_key)
                              .where(OutboundMessage.member_id == person.member_id)))
    assert keys == [expiry_notices.expiry_key(person.member_id, start.astimezone(JST).date())]


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
