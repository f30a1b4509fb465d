"""A suspension takes a member off the leaderboards at once, Redis included, and lifting it puts them back:
staff suspend and lift on the member's admin page; the moment the request commits, the ranks read from
Redis (PostgreSQL) or SQL (SQLite) no longer count the suspended member, and count them again once lifted."""
from __future__ import annotations

from sqlalchemy import select

from linecomm.members.models import Member, MemberStatus
from linecomm.points import leaderboard, leaderboard_jobs, service
from linecomm.points.leaderboard import ALL_TIME, MONTHLY
from linecomm.points.leaderboard_store import boards_of, member_key
from tests.admin.console import Console
from tests.support.community import Community


def _rank(community: Community, kind: str, member_id: int) -> int | None:
    with community.reader() as s:
        return leaderboard.rank_of(s, boards_of(community.settings), kind, community.runtime.clock(), member_id).rank


def _top(community: Community, kind: str) -> list[tuple[int, str, int]]:
    with community.reader() as s:
        board = leaderboard.board(s, boards_of(community.settings), kind, community.runtime.clock(), 10)
    return [(st.rank, st.nickname, st.points) for st in board.standings]


def test_suspending_and_lifting_move_the_boards_at_once(community: Community, liff_member, console: Console) -> None:
    boards = boards_of(community.settings)
    boards_names = (ALL_TIME, leaderboard.board_name(MONTHLY, community.runtime.clock()))
    if boards is not None:
        for name in boards_names:
            leaderboard_jobs.rebuild(community.runtime, boards, name)
    try:
        loud, quiet = liff_member(nickname="いちばん").member_id, liff_member(nickname="にばん").member_id
        with community.session() as s:
            service.grant_manual(s, loud, 90, "テスト", "s1", "m@example.com")
            service.grant_manual(s, quiet, 60, "テスト", "s2", "m@example.com")
        for kind in (MONTHLY, ALL_TIME):
            assert _rank(community, kind, quiet) == 2

        staff = console.client("moderator")
        suspended = staff.post(f"/admin/members/{loud}/sanction", {"action": "suspend", "reason": "規約違反のため"})
        assert suspended.status_code == 303
        with community.reader() as s:
            assert s.scalar(select(Member.status).where(Member.id == loud)) == MemberStatus.SUSPENDED
        for kind in (MONTHLY, ALL_TIME):  # read straight after the commit: no rebuild ran in between
            assert _rank(community, kind, quiet) == 1
            assert _top(community, kind) == [(1, "にばん", 60)]
        if boards is not None:
            assert all(boards.ready(name) for name in boards_names)
            for name in boards_names:
                assert boards.redis.zscore(boards.key(name), member_key(loud)) is None
                assert boards.position(name, quiet) == (60, 0)

        lifted = staff.post(f"/admin/members/{loud}/sanction", {"action": "lift", "reason": ""})
        assert lifted.status_code == 303
        for kind in (MONTHLY, ALL_TIME):
            assert _rank(community, kind, quiet) == 2
            assert _top(community, kind) == [(1, "いちばん", 90), (2, "にばん", 60)]
        if boards is not None:
            for name in boards_names:
                assert boards.redis.zscore(boards.key(name), member_key(loud)) == 90
                assert boards.position(name, quiet) == (60, 1)
    finally:
        if boards is not None:
            boards.forget()
