"""Badges: a declarative badge is granted once, in the action's transaction, when its threshold is crossed
(a replayed action, a second batch or the periodic pass grant nothing more; a withdrawal takes nothing
back); a batch costs the same statements whatever its size; title and manual badges are awarded and revoked
by code (the contract the ambassadors feature calls); the consecutive-months badge follows JST months;
content held for review earns its badge when approved."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind
from linecomm.points import badge_grants, badge_jobs, badges
from linecomm.points.badge_models import MemberBadge
from tests.admin.console import Console
from tests.points.helpers import record
from tests.points.test_batch_statements import counted
from tests.points.test_ledger import _staff_id
from tests.support.community import Community


def held(community: Community, member_id: int) -> list[str]:
    with community.reader() as s:
        return [b.code for b in badges.badges_of(s, member_id)]


def rows(community: Community) -> int:
    with community.reader() as s:
        return int(s.scalar(select(func.count()).select_from(MemberBadge)) or 0)


def test_a_declarative_badge_is_granted_once_when_its_threshold_is_crossed(community: Community,
                                                                          liff_member) -> None:
    member = liff_member(nickname="バッジ").member_id
    other = liff_member(nickname="まだ").member_id
    for i in range(9):
        record(community, member, ActionKind.THEME_ANSWER, f"theme-answer:b{i}")
    assert held(community, member) == ["first_theme_answer"]
    record(community, member, ActionKind.THEME_ANSWER, "theme-answer:b0")  # replayed: not counted again
    assert held(community, member) == ["first_theme_answer"]
    record(community, member, ActionKind.THEME_ANSWER, "theme-answer:b9")
    assert held(community, member) == ["first_theme_answer", "theme_answers_10"]
    record(community, member, ActionKind.THEME_ANSWER, "theme-answer:b10")
    with community.session() as s:
        actions.withdraw(s, "theme-answer:b10")
        actions.withdraw(s, "theme-answer:b9")  # earned badges stay
        assert badge_jobs.pass_now(s, utcnow(), force=True) == 0  # the safety net finds nothing missed
    record(community, other, ActionKind.REVIEW_PUBLISHED, "review-published:x")
    assert held(community, member) == ["first_theme_answer", "theme_answers_10"]
    assert held(community, other) == ["first_review"]
    assert rows(community) == 3


def test_a_batch_grants_badges_with_the_same_statements_whatever_its_size(community: Community,
                                                                         liff_member) -> None:
    members = [liff_member(nickname=f"まとめ{i}").member_id for i in range(4)]
    counts = []
    for size, tag in ((4, "small"), (40, "large")):
        batch = [(members[i % 4], ActionKind.THEME_ANSWER, f"theme-answer:{tag}{i}", "theme:1", None)
                 for i in range(size)]
        with counted(community) as seen, community.session() as s:
            actions.record_many(s, batch)
        counts.append(len([q for q in seen if "member_badges" in q or "badges" in q]))
    assert counts[0] == counts[1] == 2, counts
    assert all(held(community, m) == ["first_theme_answer", "theme_answers_10"] for m in members)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_award_and_revoke_by_code(community: Community, liff_member) -> None:
    member = liff_member(nickname="アンバサダー").member_id
    now = utcnow()
    with community.session() as s:
        assert badges.award(s, member, "ambassador", by="ambassadors", reason="公認", now=now) is True
        assert badges.award(s, member, "ambassador", by="ambassadors", reason="公認", now=now) is False
        assert badges.award(s, member, "member_moderator", by="ambassadors", reason="見守り", now=now) is True
    with community.reader() as s:
        [first, second] = badges.badges_of(s, member)
        assert (first.name, first.new) == ("公認アンバサダー", True)
        assert second.name == "コミュニティモデレーター"
        assert not badges.badges_of(s, member, now=now + timedelta(days=8))[0].new
    with community.session() as s:
        assert badges.revoke(s, member, "ambassador", by="ambassadors", reason="任期終了", now=now) is True
        assert badges.revoke(s, member, "ambassador", by="ambassadors", reason="任期終了", now=now) is False
    assert held(community, member) == ["member_moderator"]
    with community.session() as s:
        assert badges.award(s, member, "ambassador", by="ambassadors", reason="再任", now=now) is True
        with pytest.raises(badges.BadgeError, match="バッジが見つかりません"):
            badges.award(s, member, "no-such-badge", by="x", reason="r", now=now)
        with pytest.raises(badges.BadgeError, match="理由"):
            badges.award(s, member, "ambassador", by="x", reason=" ", now=now)
    assert held(community, member) == ["ambassador", "member_moderator"]


def jst(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 15, 30, tzinfo=UTC)  # 00:30 the next JST day


def test_the_months_in_a_row_badge_follows_jst_months(community: Community, liff_member) -> None:
    steady = liff_member(nickname="毎月").member_id
    gap = liff_member(nickname="飛び飛び").member_id
    # 2026-01-31 15:30 UTC is February 1st in Japan: steady is active in JST February, March and April.
    for key, at in (("a", jst(2026, 1, 31)), ("b", jst(2026, 3, 10)), ("c", jst(2026, 4, 2))):
        record(community, steady, ActionKind.VOTE, f"vote:{key}", at=at)
    for key, at in (("d", jst(2026, 1, 10)), ("e", jst(2026, 3, 10)), ("f", jst(2026, 4, 2))):
        record(community, gap, ActionKind.VOTE, f"vote:{key}", at=at)
    now = utcnow()
    with community.session() as s:
        assert badge_grants.grant_missed(s, now) == 1
        assert badge_grants.grant_missed(s, now) == 0
    assert held(community, steady) == ["active_3_months"]
    assert held(community, gap) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_held_content_earns_its_badge_when_approved_and_keeps_it_when_hidden(community: Community, liff_member,
                                                                            console: Console) -> None:
    member = liff_member(nickname="審査待ち").member_id
    staff_id = _staff_id(community, console)
    with community.session() as s:
        item = moderation.submit(s, member, ContentKind.REVIEW, "とても使いやすいです", ref="review:1")
        moderation.hide(s, item, staff_id)  # as if held for review: not published yet
        content_id = item.id
        actions.record(s, member, ActionKind.REVIEW_PUBLISHED, "review-published:held", content_id=content_id)
    assert held(community, member) == []
    with community.session() as s:
        moderation.approve(s, s.get(ContentItem, content_id), staff_id)
    assert held(community, member) == ["first_review"]
    with community.session() as s:
        moderation.hide(s, s.get(ContentItem, content_id), staff_id)
    assert held(community, member) == ["first_review"]
