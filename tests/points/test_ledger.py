"""The ledger follows member actions exactly once: a grant per action by the rule in force (stored with its
version), within the daily cap (over it, 0 is recorded), a compensating row when the action is withdrawn or
its content hidden, a new grant once per restore, expiry once per grant; balances move in the same
transaction. On PostgreSQL the same grant raced three times pays once."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from linecomm.actions import service as actions
from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind
from linecomm.points import ledger, rules, service, tallies
from linecomm.points.models import PointEntry
from linecomm.pushes import segments
from linecomm.staff.models import StaffUser
from tests.admin.console import Console
from tests.points.helpers import balance, entries, record
from tests.support.community import Community


def test_an_action_pays_once_by_the_rule_in_force(community: Community, liff_member) -> None:
    member = liff_member(nickname="はな").member_id
    first = record(community, member, ActionKind.THEME_ANSWER, "theme-answer:m1")
    assert record(community, member, ActionKind.THEME_ANSWER, "theme-answer:m1") is None  # replayed
    assert entries(community, member) == [("grant", f"action:{first}", 10)]  # the built-in default
    with community.session() as s:
        rules.set_rule(s, ActionKind.THEME_ANSWER, 25, None, None, "marketer@example.com")
    second = record(community, member, ActionKind.THEME_ANSWER, "theme-answer:m2")
    assert entries(community, member) == [("grant", f"action:{first}", 10), ("grant", f"action:{second}", 25)]
    with community.reader() as s:
        versions = [e.rule_version for e in s.scalars(select(PointEntry).where(PointEntry.member_id == member)
                                                         .order_by(PointEntry.id))]
    assert versions == [0, 1]
    assert balance(community, member) == (35, 35)


def test_daily_cap_records_zero_over_it_and_resets_the_next_jst_day(community: Community, liff_member) -> None:
    member = liff_member(nickname="ゆう").member_id
    with community.session() as s:
        rules.set_rule(s, ActionKind.REACTION, 3, 5, None, "m@example.com")
    day = utcnow().replace(hour=3)  # 12:00 JST
    for n in range(3):
        record(community, member, ActionKind.REACTION, f"r:{n}", at=day)
    assert [amount for _, _, amount in entries(community, member)] == [3, 2, 0]
    record(community, member, ActionKind.REACTION, "r:next", at=day + timedelta(days=1))
    assert [amount for _, _, amount in entries(community, member)] == [3, 2, 0, 3]
    assert balance(community, member) == (8, 8)


def test_withdraw_reverses_and_giving_back_pays_again_once(community: Community, liff_member) -> None:
    member = liff_member(nickname="そら").member_id
    action = record(community, member, ActionKind.IDEA_SUPPORTED, "idea-support:1:x")
    for _ in range(2):
        with community.session() as s:
            actions.withdraw(s, "idea-support:1:x")
    assert balance(community, member) == (0, 0)
    record(community, member, ActionKind.IDEA_SUPPORTED, "idea-support:1:x")  # supported again
    with community.session() as s:
        actions.withdraw(s, "idea-support:1:x")
    assert entries(community, member) == [
        ("grant", f"action:{action}", 2), ("reversal", f"reverse:{action}:0", -2),
        ("grant", f"action:{action}:1", 2), ("reversal", f"reverse:{action}:1", -2)]


def _staff_id(community: Community, console: Console) -> int:
    email = console.staff("moderator")
    with community.reader() as s:
        found = s.scalar(select(StaffUser.id).where(StaffUser.email == email))
        assert found is not None
        return found


def test_hiding_content_reverses_its_points_and_restoring_pays_once(community: Community, liff_member,
                                                                    console: Console) -> None:
    member = liff_member(nickname="みな").member_id
    staff_id = _staff_id(community, console)
    with community.session() as s:
        item = moderation.submit(s, member, ContentKind.ANSWER, "とても参考になりました", ref="qa:1")
        content_id = item.id
        action = actions.record(s, member, ActionKind.ANSWER_GIVEN, "qa-answer:1", content_id=content_id)
        assert action is not None
        action_id = action.id
    for _ in range(2):  # hidden, restored; twice over
        with community.session() as s:
            moderation.hide(s, s.get(ContentItem, content_id), staff_id)
        with community.session() as s:
            moderation.hide(s, s.get(ContentItem, content_id), staff_id)  # hidden again: no second reversal
        assert balance(community, member)[0] == 0
        with community.session() as s:
            moderation.approve(s, s.get(ContentItem, content_id), staff_id)
        assert balance(community, member)[0] == 10
    assert entries(community, member) == [
        ("grant", f"action:{action_id}", 10), ("reversal", f"reverse:{action_id}:0", -10),
        ("grant", f"action:{action_id}:1", 10), ("reversal", f"reverse:{action_id}:1", -10),
        ("grant", f"action:{action_id}:2", 10)]


def test_held_content_pays_when_approved(community: Community, liff_member, console: Console) -> None:
    member = liff_member(nickname="かい").member_id
    staff_id = _staff_id(community, console)
    with community.session() as s:
        item = moderation.submit(s, member, ContentKind.ANSWER, "回答です", ref="qa:2")
        moderation.hide(s, item, staff_id)  # as if held for review: not published yet
        content_id = item.id
        actions.record(s, member, ActionKind.ANSWER_GIVEN, "qa-answer:2", content_id=content_id)
    assert entries(community, member) == []
    with community.session() as s:
        moderation.approve(s, s.get(ContentItem, content_id), staff_id)
    assert balance(community, member) == (10, 10)


def test_expiry_applies_once_per_grant_and_skips_reversed_grants(community: Community, liff_member) -> None:
    member = liff_member(nickname="りん").member_id
    with community.session() as s:
        rules.set_rule(s, ActionKind.VOTE, 4, None, 1, "m@example.com")
    long_ago = utcnow() - timedelta(days=70)
    kept = record(community, member, ActionKind.VOTE, "vote:a", at=long_ago)
    record(community, member, ActionKind.VOTE, "vote:b", at=long_ago)
    record(community, member, ActionKind.VOTE, "vote:c")  # recent: not due
    with community.session() as s:
        actions.withdraw(s, "vote:b")
    for _ in range(2):
        with community.session() as s:
            tallies.apply_expiry(s, utcnow())
    expiries = [e for e in entries(community, member) if e[0] == "expiry"]
    with community.reader() as s:
        grant_id = s.scalar(select(PointEntry.id).where(PointEntry.key == f"action:{kept}"))
    assert expiries == [("expiry", f"expire:{grant_id}", -4)]
    assert balance(community, member) == (4, 8)  # 4+4-4 (withdrawn) +4 -4 (expired); lifetime keeps expired


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_same_grant_raced_three_times_pays_once(community: Community, liff_member) -> None:
    member = liff_member(nickname="レース").member_id
    action_id = record(community, member, ActionKind.SURVEY_RESPONSE, "survey-response:raced")
    with community.session() as s:  # start over: the action is there, its grant is not
        s.execute(PointEntry.__table__.delete().where(PointEntry.action_id == action_id))
        from linecomm.points.models import MemberPoints

        s.execute(MemberPoints.__table__.delete().where(MemberPoints.member_id == member))
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def grant() -> None:
        try:
            with community.session() as s:
                found = s.get(MemberAction, action_id)
                barrier.wait(timeout=10)
                ledger.grant_actions(s, [found], utcnow())
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=grant) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert entries(community, member) == [("grant", f"action:{action_id}", 20)]
    assert balance(community, member) == (20, 20)

    # And three racing records of one action: one action, one grant.
    def record_it() -> None:
        barrier.wait(timeout=10)
        record(community, member, ActionKind.VOTE, "theme-vote:9:raced")

    threads = [threading.Thread(target=record_it) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert [e for e in entries(community, member) if e[2] == 2] == [
        ("grant", f"action:{record(community, member, ActionKind.VOTE, 'theme-vote:9:raced') or _id(community)}", 2)]


def _id(community: Community) -> int:
    with community.reader() as s:
        found = s.scalar(select(MemberAction.id).where(MemberAction.key == "theme-vote:9:raced"))
        assert found is not None
        return found


def test_recompute_repairs_drifted_and_orphan_balances(community: Community, liff_member) -> None:
    kept = liff_member(nickname="あ").member_id
    stray = liff_member(nickname="い").member_id
    record(community, kept, ActionKind.THEME_ANSWER, "theme-answer:rc")
    from linecomm.points.models import MemberPoints

    with community.session() as s:
        s.get(MemberPoints, kept).balance = 3  # type: ignore[union-attr]
        s.add(MemberPoints(member_id=stray, balance=50, lifetime=50, updated_at=utcnow()))
    with community.session() as s:
        assert tallies.recompute(s, utcnow()).drifted == 2
    assert balance(community, kept) == (10, 10) and balance(community, stray) == (0, 0)
    with community.session() as s:
        assert tallies.recompute(s, utcnow()).drifted == 0


def test_balance_listeners_hear_each_move_with_the_new_figures(community: Community, liff_member,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    member = liff_member(nickname="はな").member_id
    other = liff_member(nickname="そら").member_id
    heard: list[ledger.BalanceChange] = []
    monkeypatch.setattr(ledger, "BALANCE_LISTENERS", [lambda session, changes, now: heard.extend(changes)])
    record(community, member, ActionKind.THEME_ANSWER, "theme-answer:m1")
    # balance, lifetime, lifetime moved, the month's points, rank level, rank announced, the month
    month = ledger.month_key(community.runtime.clock())
    assert heard == [ledger.BalanceChange(member, 10, 10, 10, 10, 0, 0, month)]
    heard.clear()
    with community.session() as s:
        made = service.grant_to_segment(s, segments.Segment(), 5, "お礼", service.new_operation(), "m@example.com")
    assert made == 2
    assert sorted(heard, key=lambda c: c.member_id) == sorted(
        [ledger.BalanceChange(member, 15, 15, 5, 15, 0, 0, month),
         ledger.BalanceChange(other, 5, 5, 5, 5, 0, 0, month)],
        key=lambda c: c.member_id)


def test_an_edited_review_carries_its_points_to_the_new_version(community: Community, liff_member,
                                                                 console: Console) -> None:
    from linecomm.moderation.models import ImagePolicy
    from linecomm.reviews import service as reviews
    from tests.reviews.factories import make_product

    member = liff_member(nickname="へんしゅう").member_id
    staff_id = _staff_id(community, console)
    with community.session() as s:
        moderation.set_image_policy(s, ImagePolicy.PUBLISH)
        product_id = make_product(s, name="白湯ポット")
        first = reviews.save(s, product_id, member, reviews.Draft("4", "注ぎ口が細くて使いやすいです。"),
                             max_photo_bytes=1024 * 1024)
        assert first.review is not None and first.review.published
    assert balance(community, member)[0] == 50
    with community.session() as s:  # edited: the first version is superseded, the points stand
        edited = reviews.save(s, product_id, member, reviews.Draft("5", "注ぎ口が細く、お湯が静かに注げます。"),
                              max_photo_bytes=1024 * 1024)
        assert edited.review is not None and edited.review.published
        new_item = edited.review.content_id
    assert balance(community, member)[0] == 50
    with community.session() as s:  # the new version hidden: the points go with it ...
        moderation.hide(s, s.get(ContentItem, new_item), staff_id)
    assert balance(community, member)[0] == 0
    with community.session() as s:  # ... and come back once when it is restored
        moderation.approve(s, s.get(ContentItem, new_item), staff_id)
    assert balance(community, member)[0] == 50
