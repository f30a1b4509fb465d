"""A suspension and its lifting call the membership listeners too (for the leaderboards); the rich menu's
listener takes the extra call: its job runs and the member keeps the community menu (suspended members still
read), no error, no switch to the join menu."""
from __future__ import annotations

from sqlalchemy import select

from linecomm.members.models import Member, MemberStatus
from tests.admin.console import Console
from tests.richmenu.test_member_menus import _deploy, _join
from tests.support.community import Community


def test_a_suspended_member_keeps_the_community_menu(community: Community) -> None:
    menus = _deploy(community)
    user = community.user("田中 ゆい")
    _join(community, user, "ゆい")
    with community.session() as s:
        member_id = s.scalar(select(Member.id).where(Member.line_user_id == user.user_id))
    moderator = Console(community).client("moderator")
    links = f"/v2/bot/user/{user.user_id}/richmenu"

    def link_calls() -> list[str]:
        return [r.path for r in community.fake.requests if r.path.startswith(links)]

    assert link_calls() == [f"{links}/{menus['community']}"]
    for action, status in (("suspend", MemberStatus.SUSPENDED), ("lift", MemberStatus.MEMBER)):
        response = moderator.post(f"/admin/members/{member_id}/sanction", {"action": action, "reason": "確認のため"})
        assert response.status_code == 303
        community.drain()
        with community.session() as s:
            assert s.scalar(select(Member.status).where(Member.id == member_id)) == status
        shown = community.fake.rich_menu_shown_to(user.user_id)
        assert (shown["richMenuId"], shown["source"]) == (menus["community"], "user")
    # One sync job per change, each linking the menu the member already had (LINE takes it again).
    assert link_calls() == [f"{links}/{menus['community']}"] * 3
