"""Members and followers see different menus: joining links the community menu to the member, leaving
(or being erased) unlinks it, through a job after commit; a backfill links everyone in bulk."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.members import invites
from linecomm.members.models import Member, MemberStatus
from linecomm.richmenu import deploy
from linecomm.richmenu.models import RichMenu
from tests.support.community import ChatUser, Community


def _deploy(community: Community) -> dict[str, str]:
    rt = community.runtime
    return deploy.deploy(rt.line, rt.sessions, rt.settings, sleep=lambda _s: None).menus


def _step(community: Community, action, *args) -> None:  # type: ignore[no-untyped-def]
    assert action(*args).status == 200
    community.drain()


def _join(community: Community, user: ChatUser, nickname: str) -> None:
    with community.session() as s:
        code = invites.create_code(s, "0期生", 50, date.today() + timedelta(days=30)).code
    _step(community, user.follow)
    _step(community, user.tap_quick_reply, "参加する")
    _step(community, user.say, code)
    _step(community, user.tap_quick_reply, "同意する")
    _step(community, user.say, nickname)
    assert "ようこそ" in user.last_text() or nickname in user.last_text()


def test_joining_links_the_community_menu_and_leaving_goes_back_to_the_join_menu(community: Community) -> None:
    menus = _deploy(community)
    user = community.user("佐藤 花子")
    _step(community, user.follow)
    assert community.fake.rich_menu_shown_to(user.user_id)["richMenuId"] == menus["join"]  # the default
    _join(community, user, "はなこ")
    shown = community.fake.rich_menu_shown_to(user.user_id)
    assert (shown["richMenuId"], shown["source"]) == (menus["community"], "user")
    _step(community, user.say, "退会")
    _step(community, user.tap_quick_reply, "退会する")
    with community.session() as s:
        assert s.scalar(select(Member.status).where(Member.line_user_id == user.user_id)) == MemberStatus.LEFT
    shown = community.fake.rich_menu_shown_to(user.user_id)
    assert (shown["richMenuId"], shown["source"]) == (menus["join"], "default")
    links = [r.path for r in community.fake.requests if "/richmenu" in r.path and r.path.startswith("/v2/bot/user/U")]
    assert links == [f"/v2/bot/user/{user.user_id}/richmenu/{menus['community']}",
                     f"/v2/bot/user/{user.user_id}/richmenu"]


def test_joins_before_the_first_deploy_call_nothing_and_the_deploy_links_them(community: Community) -> None:
    user = community.user("鈴木 一郎")
    _join(community, user, "いちろう")
    assert not [r for r in community.fake.requests if "richmenu" in r.path]
    menus = _deploy(community)
    assert community.fake.rich_menu_shown_to(user.user_id)["richMenuId"] == menus["community"]


def test_backfill_links_every_member_500_at_a_time_and_survives_a_429(community: Community) -> None:
    menus = _deploy(community)
    ids = [f"U{i:032x}" for i in range(1, 1202)]
    with community.session() as s:
        s.add_all(Member(line_user_id=u, status=MemberStatus.MEMBER, is_following=True, created_at=utcnow())
                  for u in ids)
    community.fake.inject_fault("/v2/bot/richmenu/bulk/link", status=429, times=1)
    rt = community.runtime
    linked, unlinked = deploy.backfill(rt.line, rt.sessions, sleep=lambda _s: None)
    assert (linked, unlinked) == (1201, 0)
    bulk = [r for r in community.fake.requests if r.path == "/v2/bot/richmenu/bulk/link"]
    assert [(r.status, len(r.json["userIds"])) for r in bulk] == [(429, 500), (202, 500), (202, 500), (202, 201)]
    assert {community.fake.rich_menu_shown_to(u)["richMenuId"] for u in ids} == {menus["community"]}
    with community.session() as s:
        assert s.scalar(select(RichMenu.id).where(RichMenu.retired_at.is_not(None))) is None


def test_a_member_erased_from_the_admin_console_goes_back_to_the_join_menu(community: Community) -> None:
    from tests.admin.console import Console

    menus = _deploy(community)
    user = community.user("高橋 美咲")
    _join(community, user, "みさき")
    assert community.fake.rich_menu_shown_to(user.user_id)["richMenuId"] == menus["community"]
    with community.session() as s:
        member_id = s.scalar(select(Member.id).where(Member.line_user_id == user.user_id))
    owner = Console(community).client("owner")
    assert owner.post(f"/admin/members/{member_id}/delete", {"confirm": str(member_id)}).status_code == 303
    community.drain()
    shown = community.fake.rich_menu_shown_to(user.user_id)
    assert (shown["richMenuId"], shown["source"]) == (menus["join"], "default")
