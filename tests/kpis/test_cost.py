"""The cost figures: billed messages counted from our own records per Japan-time day and month (replies free,
a multicast per recipient, failed and pending sends not at all), LINE's quota and consumption from the fake
platform, and a page that still renders, with a note, when LINE fails or is slow."""
from __future__ import annotations

import codecs
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.kpis import cost, snapshot
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.pushes.models import BatchStatus, Delivery, DeliveryBatch, DeliveryKind
from tests.admin.console import Console, make_member
from tests.support.community import Community

# 2026-11-01 00:30 JST is still October in UTC: it must count in November.
NOV_FIRST_JST = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)
OCT_LAST_JST = datetime(2026, 10, 31, 14, 30, tzinfo=UTC)  # 23:30 JST on 31 October


def _outbox(session, at: datetime, via: str | None, status: str = OutboundStatus.SENT, member_id: int | None = None):
    session.add(OutboundMessage(
        idempotency_key=f"t:{uuid.uuid4()}", to="U" + uuid.uuid4().hex, member_id=member_id, messages="[]",
        retry_key=str(uuid.uuid4()), status=status, sent_via=via, created_at=at,
        sent_at=at if status == OutboundStatus.SENT else None))


def _batch(session, delivery: Delivery, at: datetime, member_ids: list[int], sent: int, status: str) -> None:
    session.add(DeliveryBatch(delivery_id=delivery.id, batch_no=len(delivery.messages), retry_key=str(uuid.uuid4()),
                              member_ids=member_ids, size=len(member_ids), status=status, sent_count=sent,
                              skipped_count=len(member_ids) - sent, finished_at=at))
    delivery.messages += "x"  # a distinct batch_no for the next one
    session.flush()


def _hand_built_sends(community: Community) -> dict[str, int]:
    with community.session() as s:
        joined = datetime(2026, 9, 1, tzinfo=UTC)
        first = [make_member(s, cohort="1期生", joined_at=joined).id for _ in range(3)]
        second = [make_member(s, cohort="2期生", joined_at=joined).id for _ in range(2)]
        # The outbox: one push each (billed 1), replies free, failed and pending not sent at all.
        _outbox(s, NOV_FIRST_JST, "push", member_id=first[0])
        _outbox(s, NOV_FIRST_JST + timedelta(hours=1), "push", member_id=second[0])
        _outbox(s, NOV_FIRST_JST, "reply", member_id=first[0])
        _outbox(s, OCT_LAST_JST, "reply", member_id=first[1])
        _outbox(s, OCT_LAST_JST, "push", member_id=first[1])
        _outbox(s, NOV_FIRST_JST, None, status=OutboundStatus.FAILED, member_id=first[2])
        _outbox(s, NOV_FIRST_JST, None, status=OutboundStatus.PENDING, member_id=first[2])
        # Deliveries: a multicast is billed per recipient LINE accepted.
        delivery = Delivery(kind=DeliveryKind.POST, occurrence_key=f"t:{uuid.uuid4()}", messages="")
        s.add(delivery)
        s.flush()
        _batch(s, delivery, NOV_FIRST_JST + timedelta(days=2), first + second, 5, BatchStatus.SENT)
        _batch(s, delivery, NOV_FIRST_JST + timedelta(days=2), first[:2], 0, BatchStatus.FAILED)
        _batch(s, delivery, OCT_LAST_JST, first, 3, BatchStatus.SENT)
        # Activity (for billed per active member): two active in November, one in October.
        for i, member_id in enumerate([first[0], second[0]]):
            s.add(MemberAction(member_id=member_id, kind=ActionKind.VOTE, key=f"t:nov:{i}",
                               occurred_at=NOV_FIRST_JST + timedelta(days=3)))
        s.add(MemberAction(member_id=first[1], kind=ActionKind.VOTE, key="t:oct", occurred_at=OCT_LAST_JST))
    return {"first0": first[0]}


# The days the hand-built sends fall on, and the month ends (active members per month).
SENDING_DAYS = (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 3), date(2026, 11, 30))


def _snapshot(community: Community, days: tuple[date, ...]) -> None:
    with community.session() as s:
        for day in days:
            snapshot.snapshot_day(s, day)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_billed_messages_are_counted_per_recipient_per_japan_day(community: Community) -> None:
    _hand_built_sends(community)
    with community.reader() as s:  # a few days not stored yet: counted from the sends themselves
        fresh = cost.cost_section(s, None, date(2026, 10, 31), date(2026, 11, 3))
    assert {d.day: (d.billed, d.replies) for d in fresh.days if d.billed or d.replies} == {
        date(2026, 10, 31): (4, 1), date(2026, 11, 1): (2, 1), date(2026, 11, 3): (5, 0)}
    _snapshot(community, SENDING_DAYS)  # what the KPI pass stores; the page reads it
    with community.reader() as s:
        section = cost.cost_section(s, None, date(2026, 10, 1), date(2026, 11, 30))
        by_cohort = cost.cost_section(s, None, date(2026, 10, 1), date(2026, 11, 30), cohort="2期生")
    october, november = section.months
    assert (october.month, october.billed_push, october.billed_multicast, october.replies) == ("2026-10", 1, 3, 1)
    assert (november.month, november.billed_push, november.billed_multicast, november.replies) == ("2026-11", 2, 5, 1)
    assert (october.active_members, november.active_members) == (1, 2)
    assert november.billed_per_active == pytest.approx(3.5)
    days = {d.day: (d.billed, d.replies) for d in section.days if d.billed or d.replies}
    assert days == {date(2026, 10, 31): (4, 1), date(2026, 11, 1): (2, 1), date(2026, 11, 3): (5, 0)}
    assert len(section.days) == 61 and section.total_billed == 11
    # The cohort: sends to its members only (the outbox by member, a multicast by its frozen recipients).
    assert [(m.billed_push, m.billed_multicast, m.replies, m.active_members) for m in by_cohort.months] == [
        (0, 0, 0, 0), (1, 2, 0, 1)]
    header, rows = cost.cost_csv_rows(section)
    assert header[1] == "課金対象の通数" and rows[1][:2] == ["2026-11", 7]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_quota_and_consumption_come_from_line(community: Community) -> None:
    fake, line = community.fake, community.runtime.line
    fake.add_user("U" + "1" * 32, "スタッフ")
    fake.set_monthly_quota(200)
    line.push("U" + "1" * 32, [{"type": "text", "text": "1通目"}, {"type": "text", "text": "吹き出し2つで1通"}],
              str(uuid.uuid4()))
    with community.reader() as s:
        limited = cost.cost_section(s, line, date(2026, 11, 1), date(2026, 11, 30)).quota
    assert (limited.limited, limited.limit, limited.line_used, limited.error) == (True, 200, 1, None)
    assert limited.usage_percent == pytest.approx(0.5) and limited.remaining == 199
    marketer = Console(community).client("marketer")
    html = marketer.get("/admin/kpis?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "残り 199通・使用率 0.5%" in html and 'value="0.5"' in html
    fake.set_monthly_quota(None)
    with community.reader() as s:
        unlimited = cost.cost_section(s, line, date(2026, 11, 1), date(2026, 11, 30)).quota
    assert (unlimited.limited, unlimited.limit, unlimited.line_used, unlimited.usage_percent) == (False, None, 1, None)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_page_shows_our_figures_with_a_note_when_line_fails_or_is_slow(community: Community) -> None:
    _hand_built_sends(community)
    _snapshot(community, SENDING_DAYS)
    fake = community.fake
    fake.inject_fault("/v2/bot/message/quota", status=500, times=2)
    with community.reader() as s:
        failed = cost.cost_section(s, community.runtime.line, date(2026, 10, 1), date(2026, 11, 30))
    assert failed.quota.error == cost.QUOTA_UNAVAILABLE and failed.quota.line_used is None
    fake.inject_fault("/v2/bot/message/quota", status=None, delay=1.0, times=2)
    with community.reader() as s:
        slow = cost.cost_section(s, community.runtime.line, date(2026, 10, 1), date(2026, 11, 30), line_timeout=0.1)
    assert slow.quota.error == cost.QUOTA_UNAVAILABLE

    fake.reset()
    fake.inject_fault("/v2/bot/message/quota", status=503, times=2)
    marketer = Console(community).client("marketer")
    page = marketer.get("/admin/kpis?from=2026-10-01&to=2026-11-30")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    assert "メッセージ通数とコスト" in html and "LINEから今月のメッセージ通数を取得できませんでした" in html
    assert "<svg" in html and "2026-11" in html

    csv = marketer.get("/admin/kpis/cost_monthly.csv?from=2026-10-01&to=2026-11-30")
    body = csv.get_data()
    assert csv.status_code == 200 and body.startswith(codecs.BOM_UTF8)
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("月,課金対象の通数") and lines[2].startswith("2026-11,7,2,5,1,2,3.50")
