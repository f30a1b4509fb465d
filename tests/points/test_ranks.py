"""Ranks follow the lifetime total in the granting transaction: a rank-up is pushed once per member and
rank (replayed, taken back and earned again, or raced on PostgreSQL), held through quiet hours; the
recompute repairs a drifted rank without announcing it; the 「ポイント」 bubble shows the rank and the way to
the next one and the fake platform accepts it; segments "rank ≥ X" and "points ≥ N" count the right
members."""
from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.members.models import MemberStatus
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.points import copy, rules, service, tallies
from linecomm.points.models import MemberPoints
from linecomm.pushes import segments
from linecomm.pushes.schedule import at_jst
from linecomm.sweeper import sweep
from linecomm.timezones import JST
from tests.points.helpers import balance, record
from tests.support.community import ChatUser, Community
from tests.support.line_openapi import assert_conforms_to_openapi


def jst(day: date, hour: int, minute: int = 0) -> datetime:
    return at_jst(day, time(hour, minute))


TODAY = utcnow().astimezone(JST).date()
MIDDAY = jst(TODAY - timedelta(days=1), 12)  # yesterday 12:00 JST: outside the default quiet hours


def rank_ups(community: Community, line_user_id: str) -> list[str]:
    return [m["text"] for m in community.fake.messages_to(line_user_id)
            if m.get("type") == "text" and m["text"].startswith("おめでとうございます！ランク")]


def kept_rank(community: Community, member_id: int) -> tuple[int, int]:
    with community.reader() as s:
        row = s.get(MemberPoints, member_id)
        return (row.rank_level, row.rank_announced) if row else (0, 0)


def test_a_rank_up_is_announced_once_whatever_is_replayed_or_taken_back(community: Community, liff_member) -> None:
    person = liff_member(nickname="らんく")
    member = person.member_id
    with community.session() as s:
        rules.set_rule(s, ActionKind.REVIEW_PUBLISHED, 300, None, None, "m@example.com")
    record(community, member, ActionKind.THEME_ANSWER, "theme-answer:r0", at=MIDDAY)  # 10: still レギュラー
    first = record(community, member, ActionKind.REVIEW_PUBLISHED, "review-published:r1", at=MIDDAY)
    assert record(community, member, ActionKind.REVIEW_PUBLISHED, "review-published:r1", at=MIDDAY) is None
    community.drain()
    bronze = copy.rank_up("ブロンズ")[0]["text"]
    assert rank_ups(community, person.line_user_id) == [bronze]
    assert kept_rank(community, member) == (1, 1)

    with community.session() as s:  # taken back (the review withdrawn): the rank follows the lifetime total
        actions.withdraw(s, "review-published:r1", at=MIDDAY)
    assert first is not None and kept_rank(community, member) == (0, 1)
    record(community, member, ActionKind.REVIEW_PUBLISHED, "review-published:r2", at=MIDDAY)  # earned again
    community.drain()
    assert kept_rank(community, member) == (1, 1)
    assert rank_ups(community, person.line_user_id) == [bronze]  # not twice

    with community.session() as s:  # a hand grant crosses two ranks at once: the new one is announced
        service.grant_manual(s, member, 3_000, "イベントの表彰", "op1", "m@example.com", now=MIDDAY)
    community.drain()
    assert rank_ups(community, person.line_user_id) == [bronze, copy.rank_up("ゴールド")[0]["text"]]
    with community.reader() as s:
        keys = set(s.scalars(select(OutboundMessage.idempotency_key).where(OutboundMessage.member_id == member)))
    assert keys == {f"rank-up:{member}:1", f"rank-up:{member}:3"}


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_raced_grants_announce_each_rank_once(community: Community, liff_member) -> None:
    person = liff_member(nickname="きょうそう")
    with community.session() as s:
        rules.set_rule(s, ActionKind.IDEA_ADOPTED, 1_000, None, None, "m@example.com")
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def grant(n: int) -> None:
        try:
            with community.session() as s:
                barrier.wait(5)
                actions.record(s, person.member_id, ActionKind.IDEA_ADOPTED, f"idea-adopted:race{n}", at=MIDDAY)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=grant, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors, errors
    community.drain()
    assert balance(community, person.member_id) == (3_000, 3_000)
    # Whatever the order: 1,000 reaches シルバー, 2,000 stays, 3,000 reaches ゴールド.
    assert rank_ups(community, person.line_user_id) == [copy.rank_up("シルバー")[0]["text"],
                                                      copy.rank_up("ゴールド")[0]["text"]]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_rank_up_in_quiet_hours_waits_for_their_end(community: Community, liff_member) -> None:
    person = liff_member(nickname="よふかし")
    night = jst(TODAY + timedelta(days=1), 23, 30)  # the default quiet hours are 21:00–09:00 JST
    with community.session() as s:
        service.grant_manual(s, person.member_id, 300, "イベント参加のお礼", "night1", "m@example.com", now=night)
    community.drain()
    sweep(community.runtime, grace_seconds=0)
    community.drain()
    assert rank_ups(community, person.line_user_id) == []
    with community.reader() as s:
        row = s.scalar(select(OutboundMessage).where(OutboundMessage.member_id == person.member_id))
        assert row is not None and row.status == OutboundStatus.PENDING
        assert row.idempotency_key == f"rank-up:{person.member_id}:1"
        assert row.not_before == jst(TODAY + timedelta(days=2), 9)
    with community.session() as s:  # the night passes (the sender compares the hold with the real clock)
        s.execute(update(OutboundMessage).where(OutboundMessage.member_id == person.member_id)
                  .values(not_before=utcnow() - timedelta(seconds=1)))
    sweep(community.runtime, grace_seconds=0)
    community.drain()
    assert rank_ups(community, person.line_user_id) == [copy.rank_up("ブロンズ")[0]["text"]]


def test_recompute_repairs_a_drifted_rank_without_announcing_it(community: Community, liff_member) -> None:
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    with community.session() as s:
        service.grant_manual(s, hana.member_id, 1_200, "表彰", "opa", "m@example.com", now=MIDDAY)
        service.grant_manual(s, sora.member_id, 50, "お礼", "opb", "m@example.com", now=MIDDAY)
    community.drain()
    assert kept_rank(community, hana.member_id) == (2, 2)
    with community.session() as s:  # drift: hana's rank lost, sora's kept too high, balances written by hand
        s.execute(update(MemberPoints).where(MemberPoints.member_id == hana.member_id)
                  .values(rank_level=0, rank_announced=0))
        s.execute(update(MemberPoints).where(MemberPoints.member_id == sora.member_id)
                  .values(rank_level=3, lifetime=5_000))
    with community.session() as s:
        recount = tallies.recompute(s, utcnow())
    assert recount.drifted == 1 and recount.ranks_repaired == 2
    assert kept_rank(community, hana.member_id) == (2, 2)
    assert kept_rank(community, sora.member_id)[0] == 0 and balance(community, sora.member_id) == (50, 50)
    community.drain()
    assert rank_ups(community, hana.line_user_id) == [copy.rank_up("シルバー")[0]["text"]]  # once, not again
    assert rank_ups(community, sora.line_user_id) == []
    with community.session() as s:
        assert tallies.recompute(s, utcnow()).ranks_repaired == 0


def test_points_bubble_shows_rank_and_progress(community: Community, liff_member, liff_client) -> None:
    person = liff_member(nickname="ばぶる")
    with community.session() as s:
        service.grant_manual(s, person.member_id, 1_120, "お礼", "opc", "m@example.com", now=MIDDAY)
    community.drain()
    user = ChatUser(community, person.line_user_id, "ばぶる")
    assert user.say("ポイント").status == 200
    community.drain()
    flex = user.received()[-1]
    assert flex["type"] == "flex" and flex["altText"] == "ポイント残高：1,120pt（累計 1,120pt・シルバー）"
    body = flex["contents"]["body"]["contents"]
    texts = [c.get("text") for c in body] + [c.get("text") for b in body for c in b.get("contents", [])]
    assert "シルバー" in texts and "「ゴールド」まであと1,880pt" in texts
    assert_conforms_to_openapi(community.fake.requests)
    page = liff_client(person.line_user_id).get("/liff/points").get_data(as_text=True)
    assert "data-points-rank-name>シルバー<" in page and "「ゴールド」まであと1,880pt" in page


def test_segments_rank_and_points_at_least_count_the_right_members(community: Community, liff_member) -> None:
    amounts = {"ゼロ": 0, "ひゃく": 100, "ぶろんず": 400, "しるばー": 1_500, "ごーるど": 3_000}
    people = {name: liff_member(nickname=name).member_id for name in amounts}
    suspended = liff_member(nickname="休止中", status=MemberStatus.SUSPENDED).member_id
    with community.session() as s:
        for member_id, amount in [*((people[n], a) for n, a in amounts.items() if a), (suspended, 5_000)]:
            service.grant_manual(s, member_id, amount, "お礼", f"seg{member_id}", "m@example.com", now=MIDDAY)
        # A balance below the lifetime total (points expired): the rank stays, the balance condition differs.
        s.execute(update(MemberPoints).where(MemberPoints.member_id == people["ごーるど"]).values(balance=100))
    with community.reader() as s:
        def count(**fields: int) -> int:
            return segments.count_recipients(s, segments.Segment(**fields))

        assert count() == 5  # the suspended member is never reached
        assert count(rank_at_least=1) == 3  # ぶろんず, しるばー, ごーるど
        assert count(rank_at_least=3) == 1
        assert count(points_at_least=400) == 2  # ぶろんず 400, しるばー 1,500 (ごーるど holds 100)
        assert count(points_at_least=100, rank_at_least=3) == 1
        assert count(points_at_least=101, rank_at_least=3) == 0
        described = segments.Segment(rank_at_least=2, points_at_least=500).describe(s)
        assert "ランク: シルバー以上" in described and "ポイント残高: 500pt以上" in described
    segment = segments.Segment(rank_at_least=2, points_at_least=500)
    assert segments.Segment.from_json(segment.to_json()) == segment


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_theme_answer_in_chat_that_ranks_up_gets_the_news_in_its_reply_not_a_push(community: Community) -> None:
    from tests.pushes.desk import Desk
    from tests.themes.talk import Talk

    desk = Desk(community)
    desk.no_quiet_hours()
    talk = Talk(community, desk)
    hana = talk.member("はなまる")
    talk.theme(title="朝のひと手間", text="朝のひと手間を教えてください。このトークに返信してください。")
    with community.session() as s:
        rules.set_rule(s, ActionKind.THEME_ANSWER, 300, None, None, "m@example.com")
    before = len(hana.received())
    talk.say(hana, "朝は白湯を一杯飲みます")
    said = [m.get("text", "") for m in hana.received()[before:]]
    assert len(said) == 2 and sum("ご回答ありがとうございます" in t for t in said) == 1  # thanks and the rank-up
    member_id = talk.member_id(hana)
    assert balance(community, member_id) == (300, 300)
    bronze = copy.rank_up("ブロンズ")[0]["text"]
    assert rank_ups(community, hana.user_id) == [bronze]
    replies = [[m.get("text") for m in r.json["messages"]] for r in community.fake.requests
               if r.path == "/v2/bot/message/reply" and r.status == 200]
    assert replies[-1][-1] == bronze  # the news rides on the answer's reply (free) ...
    assert not [r for r in community.fake.requests if r.path == "/v2/bot/message/push"]  # ... and is not pushed
    talk.say(hana, "やっぱりコーヒーです")  # another answer: no second announcement
    assert rank_ups(community, hana.user_id) == [bronze]
