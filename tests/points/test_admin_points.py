"""Points in the console: marketers set a rule per action (audited, a new version from then on), grant or
deduct by hand to one member or to a whole segment (one operation: a double submit changes nothing;
audited); moderators cannot; bad input gets a Japanese error, never a 500."""
from __future__ import annotations

from sqlalchemy import func, select

from linecomm.actions.service import ActionKind
from linecomm.members.models import MemberStatus
from linecomm.points.models import PointEntry, PointRule
from tests.admin.console import Console
from tests.points.helpers import balance, entries, record
from tests.support.community import Community


def test_marketer_sets_a_rule_and_it_applies_from_then_on(community: Community, console: Console,
                                                          liff_member) -> None:
    member = liff_member(nickname="ルール").member_id
    record(community, member, ActionKind.REVIEW_PUBLISHED, "review-published:1")
    marketer = console.client("marketer")
    page = marketer.get("/admin/points")
    assert page.status_code == 200 and "レビューの公開" in page.get_data(as_text=True)
    response = marketer.post(f"/admin/points/rules/{ActionKind.REVIEW_PUBLISHED}",
                             {"amount": "80", "daily_cap": "160", "expiry_months": "12"})
    assert response.status_code == 303
    record(community, member, ActionKind.REVIEW_PUBLISHED, "review-published:2")
    assert [amount for _, _, amount in entries(community, member)] == [50, 80]
    [row] = console.audit_rows("points.rule")
    assert '"amount": 80' in (row.after or "") and '"amount": 50' in (row.before or "")
    bad = marketer.post(f"/admin/points/rules/{ActionKind.REVIEW_PUBLISHED}", {"amount": "たくさん"})
    assert bad.status_code == 303
    assert "半角の整数" in marketer.follow(bad).get_data(as_text=True)
    assert marketer.post("/admin/points/rules/nonsense", {"amount": "1"}).status_code == 404
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(PointRule)) == 1
    assert console.client("moderator").get("/admin/points").status_code == 403


def test_grant_to_a_segment_once_per_operation(community: Community, console: Console, liff_member) -> None:
    first = [liff_member(nickname=f"一期{i}", cohort="1期生").member_id for i in range(3)]
    other = liff_member(nickname="二期", cohort="2期生").member_id
    liff_member(nickname="休止中", cohort="1期生", status=MemberStatus.SUSPENDED)
    marketer = console.client("marketer")
    form = {"amount": "100", "reason": "オフ会参加のお礼", "operation": "op1abc", "cohort": "1期生"}
    response = marketer.post("/admin/points/grant", form)
    assert response.status_code == 303
    followed = marketer.follow(response).get_data(as_text=True)
    assert "3人に+100ポイント" in followed, followed[followed.find("adm-flashes"):][:400]
    assert marketer.post("/admin/points/grant", form).status_code == 303  # submitted twice
    with community.reader() as s:
        made = s.scalar(select(func.count()).select_from(PointEntry).where(PointEntry.key.like("manual:op1abc:%")))
    assert made == 3
    assert [balance(community, m) for m in first] == [(100, 100)] * 3
    assert balance(community, other) == (0, 0)
    [row] = console.audit_rows("points.grant_segment")
    assert '"members": 3' in (row.after or "")

    deduct = marketer.post("/admin/points/grant", {**form, "amount": "-30", "operation": "op2abc"})
    assert deduct.status_code == 303
    assert "3人から30ポイントを減算" in marketer.follow(deduct).get_data(as_text=True)
    assert balance(community, first[0]) == (70, 70)
    too_much = marketer.post("/admin/points/grant", {**form, "amount": "-80", "operation": "op4abc"})
    assert "対象のメンバーがいないため" in marketer.follow(too_much).get_data(as_text=True)
    assert [balance(community, m) for m in first] == [(70, 70)] * 3  # never below zero
    refused = marketer.post("/admin/points/grant", {**form, "reason": "", "operation": "op3abc"})
    assert refused.status_code == 422 and "理由を入力してください" in refused.get_data(as_text=True)


def test_grant_to_one_member_from_the_member_page(community: Community, console: Console, liff_member) -> None:
    member = liff_member(nickname="ひとり").member_id
    marketer = console.client("marketer")
    assert "ポイントの履歴・付与" in marketer.get(f"/admin/members/{member}").get_data(as_text=True)
    over = marketer.post(f"/admin/points/members/{member}/grant",
                         {"amount": "-5", "reason": "誤付与の訂正", "operation": "one0"})
    assert "残高（0ポイント）を超えて減算することはできません" in marketer.follow(over).get_data(as_text=True)
    marketer.post(f"/admin/points/members/{member}/grant", {"amount": "8", "reason": "お礼", "operation": "one9"})
    form = {"amount": "-5", "reason": "誤付与の訂正", "operation": "one1"}
    assert marketer.post(f"/admin/points/members/{member}/grant", form).status_code == 303
    assert marketer.post(f"/admin/points/members/{member}/grant", form).status_code == 303
    assert entries(community, member) == [("manual", f"manual:one9:{member}", 8),
                                          ("manual", f"manual:one1:{member}", -5)]
    page = marketer.get(f"/admin/points/members/{member}").get_data(as_text=True)
    assert "運営より：誤付与の訂正" in page and "-5" in page
    assert console.audit_count("points.grant_member") == 2
    bad = marketer.post(f"/admin/points/members/{member}/grant", {**form, "amount": "0", "operation": "one2"})
    assert "0以外" in marketer.follow(bad).get_data(as_text=True)
    assert marketer.post("/admin/points/members/999999/grant", form).status_code == 404


def test_demo_seed_welcomes_once_and_the_balance_condition(community: Community) -> None:
    from linecomm.demo.seed import DEMO_MEMBERS
    from linecomm.demo.seed import seed as demo_seed
    from linecomm.members.models import Member
    from linecomm.points import service

    for _ in range(2):
        with community.session() as s:
            demo_seed(s, "v1")
    with community.reader() as s:
        ids = list(s.scalars(select(Member.id).where(Member.line_user_id.in_([u for u, _, _ in DEMO_MEMBERS]))))
        assert s.scalar(select(func.count()).select_from(PointEntry).where(PointEntry.key.like("manual:demowelcome:%"))
                        ) == len(ids)
        rich = set(s.scalars(select(Member.id).where(service.balance_at_least(100))))
        assert rich >= set(ids)
        assert not set(s.scalars(select(Member.id).where(service.balance_at_least(10**7))))
