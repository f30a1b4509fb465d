"""Ranks in the console: a marketer edits the ladder (a new version, audited; every member moves to their
rank on it at once, without an announcement), bad ladders get a Japanese error (422) and change nothing,
moderators cannot; the segment forms offer "rank ≥ X" and "points ≥ N" and a grant to such a segment
reaches the right members."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from linecomm.points import service
from linecomm.points.models import MemberPoints
from linecomm.points.rank_models import PointRank
from tests.admin.console import Console
from tests.points.helpers import balance
from tests.support.community import Community

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def ladder_form(*steps: tuple[str, str]) -> dict[str, list[str]]:
    return {"name": [n for n, _ in steps], "threshold": [t for _, t in steps]}


def test_marketer_edits_the_ladder_and_members_move_without_announcement(community: Community, console: Console,
                                                                        liff_member) -> None:
    person = liff_member(nickname="ランク")
    with community.session() as s:
        service.grant_manual(s, person.member_id, 600, "お礼", "op1", "m@example.com")
    marketer = console.client("marketer")
    page = marketer.get("/admin/points/ranks").get_data(as_text=True)
    assert "レギュラー" in page and "ゴールド" in page and "初期設定" in page
    form = ladder_form(("メンバー", "0"), ("スター", "５００"), ("スーパースター", "2,000"), ("", ""))
    response = marketer.post("/admin/points/ranks", form)
    assert response.status_code == 303
    saved = marketer.follow(response).get_data(as_text=True)
    assert "ランクを保存しました（第1版）" in saved and "スーパースター" in saved
    with community.reader() as s:
        row = s.get(MemberPoints, person.member_id)
        assert row is not None and (row.rank_level, row.rank_announced) == (1, 1)  # スター, never announced
    [audit] = console.audit_rows("points.ranks")
    assert "スター" in (audit.after or "") and "ブロンズ" in (audit.before or "")
    community.drain()
    assert community.fake.messages_to(person.line_user_id) == []
    assert "スター以上" in marketer.get("/admin/points").get_data(as_text=True)  # the segment form offers it
    assert balance(community, person.member_id) == (600, 600)


BAD_LADDERS = [
    ((("レギュラー", "10"), ("ブロンズ", "300")), "最初のランクの必要な累計ポイントは0"),
    ((("レギュラー", "0"), ("ブロンズ", "300"), ("シルバー", "300")), "「シルバー」の必要な累計ポイントは、ひとつ前"),
    ((("レギュラー", "0"), ("レギュラー", "300")), "ランク名が重複しています"),
    ((("レギュラー", "0"), ("とても長いランクの名前をつけてみました二十文字超", "300")), "ランク名は20文字以内"),
    ((("レギュラー", "0"), ("ブロンズ", "たくさん")), "2行目を読み取れませんでした"),
    ((("レギュラー", "0"), ("", "300")), "ランク名を入力してください"),
    (tuple((f"ランク{i}", str(i * 100)) for i in range(11)), "ランクは10個までです"),
    ((("", ""),), "ランクを1つ以上入力してください"),
]


def test_bad_ladders_get_a_japanese_error_and_change_nothing(community: Community, console: Console) -> None:
    marketer = console.client("marketer")
    for steps, error in BAD_LADDERS:
        response = marketer.post("/admin/points/ranks", ladder_form(*steps))
        assert response.status_code == 422, steps
        assert error in response.get_data(as_text=True), (steps, error)
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(PointRank)) == 0
    assert console.audit_count("points.ranks") == 0


def test_moderators_cannot_and_a_rank_segment_gets_the_grant(community: Community, console: Console,
                                                              liff_member) -> None:
    assert console.client("moderator").get("/admin/points/ranks").status_code == 403
    assert console.client("moderator").post("/admin/points/ranks", ladder_form(("A", "0"))).status_code == 403
    low, high = liff_member(nickname="ひくい").member_id, liff_member(nickname="たかい").member_id
    with community.session() as s:
        service.grant_manual(s, low, 100, "お礼", "opl", "m@example.com")
        service.grant_manual(s, high, 1_000, "お礼", "oph", "m@example.com")
    marketer = console.client("marketer")
    form = {"amount": "50", "reason": "シルバー以上の方へのお礼", "operation": "oprank", "rank_at_least": "2",
            "points_at_least": "500"}
    response = marketer.post("/admin/points/grant", form)
    assert response.status_code == 303
    assert "1人に+50ポイント" in marketer.follow(response).get_data(as_text=True)
    assert balance(community, high) == (1_050, 1_050) and balance(community, low) == (100, 100)
    bad = marketer.post("/admin/points/grant", {**form, "operation": "opbad", "points_at_least": "-5"})
    assert bad.status_code == 422 and "ポイント残高は0〜100,000,000の半角の整数" in bad.get_data(as_text=True)


def test_demo_seeds_the_ladder_and_a_member_near_a_rank_up_once(community: Community, liff_member) -> None:
    from linecomm.members.models import Member
    from linecomm.points import rank_demo

    person = liff_member(nickname="いちろう")
    with community.session() as s:
        s.execute(update(Member).where(Member.id == person.member_id)
                  .values(line_user_id=rank_demo.NEAR_RANK_UP_USER))
        service.grant_manual(s, person.member_id, 100, "ようこそ", "welcome", "demo")
    for _ in range(2):
        with community.session() as s:
            rank_demo.seed(s)
    assert balance(community, person.member_id) == (280, 280)  # 20 short of ブロンズ
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(PointRank)) == 4
