"""The candidates page's rules: lifetime points, any of the required badges, distinct Japan-time months with an
action in the recent window, no warning or suspension, still a member — one set-based query on both backends."""
from __future__ import annotations

from datetime import UTC, datetime

from linecomm.ambassadors import candidates, service
from linecomm.ambassadors.models import CandidateRules
from linecomm.members.models import MemberStatus
from tests.ambassadors.helpers import act_at, give_badge, give_points, warn
from tests.support.community import Community

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 12:00 on 5 December in Japan
DEC_1_JST = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 00:30 on 1 December in Japan
NOV_30_JST = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 23:30 on 30 November in Japan
OCT = datetime(2026, 10, 10, 3, 0, tzinfo=UTC)
AUG = datetime(2026, 8, 1, 3, 0, tzinfo=UTC)
MAY = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)  # outside a 6-month window (July to December)


def test_candidates_meet_every_rule(community: Community, liff_member) -> None:
    def member(nickname: str, pts: int, badge: bool, *moments: datetime, status: str = MemberStatus.MEMBER) -> int:
        person = liff_member(nickname=nickname, status=status).member_id
        give_points(community, person, pts)
        if badge:
            give_badge(community, person, "first_review")
        act_at(community, person, *moments)
        return person

    fits = member("ぴったり", 1000, True, DEC_1_JST, OCT, AUG)
    richer = member("たくさん", 3000, True, DEC_1_JST, NOV_30_JST, OCT)
    member("ポイント不足", 100, True, DEC_1_JST, OCT, AUG)
    member("バッジなし", 1000, False, DEC_1_JST, OCT, AUG)
    member("同じ月", 1000, True, NOV_30_JST, datetime(2026, 11, 2, tzinfo=UTC), OCT)  # two months only
    member("昔の活動", 1000, True, DEC_1_JST, OCT, MAY)
    warned = member("警告あり", 1000, True, DEC_1_JST, OCT, AUG)
    warn(community, warned)
    member("退会済み", 1000, True, DEC_1_JST, OCT, AUG, status=MemberStatus.LEFT)

    with community.session() as s:
        service.set_rules(s, {"min_lifetime_points": 500, "required_badges": ["first_review"],
                              "min_active_months": 3, "active_window_months": 6, "no_sanctions": True,
                              "moderator_daily_limit": 10}, "owner@example.com")
    with community.reader() as s:
        rules = service.read_rules(s)
        page = candidates.page(s, rules, NOW)
        assert [(c.nickname, c.months_active) for c in page.rows] == [("たくさん", 3), ("ぴったり", 3)]
        assert page.rows[0].lifetime >= 3000 and "はじめてのレビュー" in page.rows[0].badges
        assert candidates.count(s, rules, NOW) == 2
        # Keyset pages: one row at a time, the cursor carries on where the last page ended.
        first = candidates.page(s, rules, NOW, limit=1)
        second = candidates.page(s, rules, NOW, after=candidates.parse_cursor(first.next_cursor), limit=1)
        assert [c.member_id for c in first.rows + second.rows] == [richer, fits] and second.next_cursor is None

        # Without the sanctions rule the warned member qualifies; without the badge rule, the one without it.
        looser = CandidateRules(**{**service.rules_dict(rules), "no_sanctions": False, "required_badges": ""})
        names = {c.nickname for c in candidates.page(s, looser, NOW).rows}
        assert names == {"たくさん", "ぴったり", "警告あり", "バッジなし"}


def _months_rule(community: Community, months: int, window: int) -> CandidateRules:
    with community.session() as s:
        service.set_rules(s, {"min_lifetime_points": 0, "required_badges": [], "min_active_months": months,
                              "active_window_months": window, "no_sanctions": False,
                              "moderator_daily_limit": 10}, "owner@example.com")
    with community.reader() as s:
        return service.read_rules(s)


def test_the_months_rule_counts_japan_time_months_across_the_new_year(community: Community, liff_member) -> None:
    now = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)  # window of 3: November, December, January
    nov_1_jst = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 00:30 on 1 November in Japan
    oct_31_jst = datetime(2026, 10, 31, 14, 30, tzinfo=UTC)  # 23:30 on 31 October in Japan
    jan = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
    three = liff_member(nickname="みつき").member_id
    act_at(community, three, nov_1_jst, DEC_1_JST, jan)
    two = liff_member(nickname="ふたつき").member_id
    act_at(community, two, oct_31_jst, DEC_1_JST, jan, jan)
    later = liff_member(nickname="らいげつ").member_id
    act_at(community, later, DEC_1_JST, jan, datetime(2027, 2, 2, tzinfo=UTC))  # February is after the window
    rules = _months_rule(community, 3, 3)
    with community.reader() as s:
        assert [c.member_id for c in candidates.page(s, rules, now).rows] == [three]
        assert candidates.months_active(s, rules, now, [three, two, later]) == {three: 3, two: 2, later: 2}
    wider = _months_rule(community, 3, 4)  # October counts too
    with community.reader() as s:
        assert {c.member_id for c in candidates.page(s, wider, now).rows} == {three, two}
        assert candidates.count(s, wider, now) == 2


def test_a_withdrawn_support_still_counts_its_month(community: Community, liff_member) -> None:
    """A month stays counted once the member did something in it (before member_active_months, withdrawing
    the only action of a month took the month away)."""
    from linecomm.ideas import service as ideas

    author = liff_member(nickname="あんをだす").member_id
    supporter = liff_member(nickname="おうえんする").member_id
    with community.session() as s:
        idea_id = ideas.submit(s, author, ideas.Draft.read("替えパッキン", "別売りがほしいです", "商品"), AUG).id
    with community.session() as s:
        assert ideas.support(s, idea_id, supporter, AUG, "1234567890-test").outcome is ideas.SupportOutcome.SUPPORTED
    with community.session() as s:
        ideas.withdraw_support(s, idea_id, supporter, AUG)
    act_at(community, supporter, OCT, DEC_1_JST)
    rules = _months_rule(community, 3, 6)
    with community.reader() as s:
        assert [(c.member_id, c.months_active) for c in candidates.page(s, rules, NOW).rows] == [(supporter, 3)]
