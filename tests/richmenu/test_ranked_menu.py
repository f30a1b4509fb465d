"""A rank can switch the member's rich menu: a marketer chooses from which rank members see the gold
「メンバー特典」 menu; everyone is re-linked in bulk at once, and afterwards a member whose rank moves across
it is re-linked by the sync job after commit (a rank-up pays through the ledger; a hidden post's reversal
takes the rank and the menu back)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.actions.service import ActionKind
from linecomm.members.models import Member
from linecomm.points import rules
from linecomm.richmenu import deploy
from tests.admin.console import Console
from tests.points.helpers import record
from tests.support.community import Community
from tests.support.liff import make_liff_person


def _menu(community: Community, line_user_id: str) -> str:
    return community.fake.rich_menu_shown_to(line_user_id)["richMenuId"]


def test_members_of_the_chosen_rank_see_the_ranked_menu_and_it_follows_their_rank(community: Community) -> None:
    rt = community.runtime
    menus = deploy.deploy(rt.line, rt.sessions, rt.settings, sleep=lambda _s: None).menus
    assert set(menus) == {"join", "community", "ranked"}
    gold = make_liff_person(community, nickname="きんいろ")
    plain = make_liff_person(community, nickname="ふつう")
    with community.session() as s:
        rules.set_rule(s, ActionKind.REVIEW_PUBLISHED, 1_000, None, None, "m@example.com")
    record(community, gold.member_id, ActionKind.REVIEW_PUBLISHED, "review-published:g1")  # シルバー (1,000)
    community.drain()
    deploy.backfill(rt.line, rt.sessions, sleep=lambda _s: None)
    assert _menu(community, gold.line_user_id) == menus["community"]  # nobody chosen yet

    marketer = Console(community).client("marketer")
    page = marketer.get("/admin/points/ranks").get_data(as_text=True)
    assert "特典メニュー" in page and "シルバー以上" in page
    assert marketer.post("/admin/points/ranks/menu", {"from_level": "9"}).status_code == 422
    assert marketer.post("/admin/points/ranks/menu", {"from_level": "2"}).status_code == 303  # シルバー以上
    community.drain()  # the bulk re-link job
    assert _menu(community, gold.line_user_id) == menus["ranked"]
    assert _menu(community, plain.line_user_id) == menus["community"]
    [row] = Console(community).audit_rows("points.rank_menu")
    assert "シルバー" in (row.after or "")

    record(community, plain.member_id, ActionKind.REVIEW_PUBLISHED, "review-published:p1")  # a rank-up
    community.drain()
    assert _menu(community, plain.line_user_id) == menus["ranked"]
    from linecomm.actions import service as actions

    with community.session() as s:  # the review withdrawn: the points, the rank and the menu go back
        assert actions.withdraw(s, "review-published:p1") is not None
    community.drain()
    assert _menu(community, plain.line_user_id) == menus["community"]

    assert marketer.post("/admin/points/ranks/menu", {"from_level": ""}).status_code == 303  # nobody again
    community.drain()
    assert _menu(community, gold.line_user_id) == menus["community"]
    with community.reader() as s:
        assert s.scalar(select(Member.line_user_id).where(Member.id == gold.member_id)) == gold.line_user_id


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_the_relink_jobs_run_in_fresh_worker_processes(community: Community) -> None:
    """The bulk relink (a marketer's choice) and the per-member sync (a rank-up) run where production runs
    them: in `linecomm worker --burst` processes that have imported nothing."""
    community.run_jobs_in_worker_processes()
    rt = community.runtime
    menus = deploy.deploy(rt.line, rt.sessions, rt.settings, sleep=lambda _s: None).menus
    gold = make_liff_person(community, nickname="きんいろ")
    climber = make_liff_person(community, nickname="のぼる")
    with community.session() as s:
        rules.set_rule(s, ActionKind.REVIEW_PUBLISHED, 1_000, None, None, "m@example.com")
    record(community, gold.member_id, ActionKind.REVIEW_PUBLISHED, "review-published:w1")
    community.drain()
    marketer = Console(community).client("marketer")
    assert marketer.post("/admin/points/ranks/menu", {"from_level": "2"}).status_code == 303
    community.drain()
    logs = "\n".join(community.worker_logs)
    assert "linecomm.richmenu.jobs.relink_everyone(" in logs and "Traceback" not in logs, logs
    assert _menu(community, gold.line_user_id) == menus["ranked"]
    record(community, climber.member_id, ActionKind.REVIEW_PUBLISHED, "review-published:w2")
    community.drain()
    assert "linecomm.richmenu.jobs.sync_member_menu(" in "\n".join(community.worker_logs)
    assert _menu(community, climber.line_user_id) == menus["ranked"]
