"""Leaderboards: grants (one by one, or to a segment) move both boards (SQLite reads SQL; PostgreSQL+Redis
keeps the sorted sets in step after each commit), equal points share a rank ("1, 2, 2, 4"), opting out or
leaving hides a member at once while they still see their own place, the month's board starts afresh at the
JST month boundary, a board lost from Redis is read from SQL meanwhile and rebuilt by the job a read asks
for, and the LIFF page refuses bad input politely."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linecomm.members import service as members
from linecomm.members.models import Member
from linecomm.points import leaderboard, leaderboard_jobs, service
from linecomm.points.leaderboard import ALL_TIME, MONTHLY
from linecomm.points.leaderboard_store import RedisBoards, boards_of, member_key
from linecomm.pushes.segments import Segment
from tests.support.community import Community


def _boards(community: Community) -> RedisBoards | None:
    return boards_of(community.settings)


@pytest.fixture
def boards(community: Community):  # type: ignore[no-untyped-def]
    """The test's Redis boards (None on SQLite), built whole (empty) first, dropped at the end."""
    found = _boards(community)
    if found is not None:
        for name in (ALL_TIME, leaderboard.board_name(MONTHLY, community.runtime.clock())):
            leaderboard_jobs.rebuild(community.runtime, found, name)
    yield found
    if found is not None:
        found.forget()


def _grant(community: Community, member_id: int, amount: int, op: str, now: datetime | None = None) -> None:
    with community.session() as s:
        service.grant_manual(s, member_id, amount, "テスト", op, "m@example.com", now=now)


def _read(community: Community, kind: str, member_id: int, now: datetime | None = None) -> leaderboard.Board:
    with community.reader() as s:
        return leaderboard.board(s, _boards(community), kind, now or community.runtime.clock(), 10, member_id)


def _table(board: leaderboard.Board) -> list[tuple[int, str, int]]:
    return [(s.rank, s.nickname, s.points) for s in board.standings]


def test_grants_move_both_boards_and_equal_points_share_a_rank(community: Community, liff_member, boards) -> None:
    a, d = (liff_member(nickname=n).member_id for n in ("あお", "<b>くろ</b>"))
    b, c = (liff_member(nickname=n, cohort="2期生").member_id for n in ("きい", "みどり"))
    for member_id, amount in ((a, 50), (b, 25), (c, 25), (d, 10)):
        _grant(community, member_id, amount, f"t{member_id}")
    with community.session() as s:  # a segment grant: every member it moves in one go
        assert service.grant_to_segment(s, Segment(cohorts=("2期生",)), 5, "テスト", "seg", "m@example.com") == 2
    _grant(community, d, 25, "more")  # 35: past the two at 30
    for kind in (MONTHLY, ALL_TIME):
        board = _read(community, kind, b)
        assert _table(board) == [(1, "あお", 50), (2, "<b>くろ</b>", 35), (3, "みどり", 30), (3, "きい", 30)]
        assert board.me == leaderboard.Position(3, 30, False)
    with community.reader() as s:
        assert leaderboard.rank_of(s, _boards(community), ALL_TIME, community.runtime.clock(), a).rank == 1
    if boards is not None:  # PostgreSQL: the answers came from Redis, kept in step by the commits
        assert boards.ready(ALL_TIME)
        assert boards.redis.zscore(boards.key(ALL_TIME), member_key(d)) == 35
        month = leaderboard.board_name(MONTHLY, community.runtime.clock())
        assert boards.redis.zscore(boards.key(month), member_key(c)) == 30
        assert boards.position(ALL_TIME, c) == (30, 2)


def test_opting_out_or_leaving_hides_at_once_but_the_member_sees_their_place(
        community: Community, liff_member, boards) -> None:
    top, shy, gone = (liff_member(nickname=n).member_id for n in ("いちばん", "ひかえめ", "さよなら"))
    for member_id, amount in ((top, 90), (shy, 60), (gone, 70)):
        _grant(community, member_id, amount, f"o{member_id}")
    with community.session() as s:
        leaderboard.set_hidden(s, shy, True, community.runtime.clock())
    with community.session() as s:
        members.leave(s.get(Member, gone), community.runtime.clock())
    for kind in (MONTHLY, ALL_TIME):
        board = _read(community, kind, shy)
        assert _table(board) == [(1, "いちばん", 90)]
        assert board.me == leaderboard.Position(2, 60, True)  # counted against those who show
    if boards is not None:
        assert boards.redis.zscore(boards.key(ALL_TIME), member_key(shy)) is None
        assert boards.redis.zscore(boards.key(ALL_TIME), member_key(gone)) is None
    with community.session() as s:
        leaderboard.set_hidden(s, shy, False, community.runtime.clock())
    assert _table(_read(community, ALL_TIME, shy)) == [(1, "いちばん", 90), (2, "ひかえめ", 60)]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_monthly_board_starts_afresh_at_the_jst_month_boundary(community: Community, liff_member) -> None:
    early, late = liff_member(nickname="みそか").member_id, liff_member(nickname="ついたち").member_id
    last_minute = datetime(2026, 11, 30, 14, 59, tzinfo=UTC)  # 23:59 JST, 30 November
    new_month = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 00:00 JST, 1 December
    _grant(community, early, 40, "nov", now=last_minute)
    assert _table(_read(community, MONTHLY, early, last_minute)) == [(1, "みそか", 40)]
    _grant(community, late, 5, "dec", now=new_month)
    _grant(community, early, -15, "dec-deduction", now=new_month)  # taken back in December: December's minus
    # A write dated in November that commits after December began leaves December's total alone.
    _grant(community, late, 7, "nov-late", now=last_minute)
    december = _read(community, MONTHLY, early, new_month)
    assert december.month == "2026-12" and _table(december) == [(1, "ついたち", 5)]
    assert december.me == leaderboard.Position(None, -15, False)
    assert _table(_read(community, ALL_TIME, early, new_month)) == [(1, "みそか", 25), (2, "ついたち", 12)]


def test_repairing_a_finished_month_leaves_the_new_months_totals_alone(community: Community, liff_member) -> None:
    """The hourly pass that began before midnight JST repairs November while December's writes commit: it
    must not move the rows December wrote back to November."""
    from linecomm.points.leaderboard_repair import repair_month

    member = liff_member(nickname="つきまたぎ").member_id
    november = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 23:00 JST, 30 November
    december = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 01:00 JST, 1 December
    _grant(community, member, 7, "nov", now=november)
    _grant(community, member, 100, "dec", now=december)
    with community.session() as s:
        assert repair_month(s, "2026-11", november) == 0
        assert repair_month(s, "2026-12", december) == 0
    _grant(community, member, 5, "dec-2", now=december)
    assert _read(community, MONTHLY, member, december).me == leaderboard.Position(1, 105, False)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_members_last_write_in_one_commit_is_what_redis_keeps(community: Community, liff_member, boards) -> None:
    assert boards is not None
    member = liff_member(nickname="さいご").member_id
    boards.apply([(ALL_TIME, member, None), (ALL_TIME, member, 40)])  # removed, then back with 40
    assert boards.top(ALL_TIME, 10) == [(member, 40)]
    boards.apply([(ALL_TIME, member, 50), (ALL_TIME, member, None)])  # moved, then removed
    assert boards.top(ALL_TIME, 10) == []


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_board_lost_from_redis_is_read_from_sql_and_rebuilt(community: Community, liff_member, boards) -> None:
    assert boards is not None
    first, second = liff_member(nickname="ひとり").member_id, liff_member(nickname="ふたり").member_id
    _grant(community, first, 20, "l1")
    boards.forget()  # Redis flushed or restarted: boards and markers gone
    _grant(community, second, 30, "l2")  # written to a board that is not ready: not read from it
    assert not boards.redis.exists(boards.marker(ALL_TIME))
    board = _read(community, ALL_TIME, first)  # SQL answers, and the read asks for a rebuild
    assert _table(board) == [(1, "ふたり", 30), (2, "ひとり", 20)] and board.me is not None and board.me.rank == 2
    community.drain()
    assert boards.built_at(ALL_TIME) is not None
    assert boards.top(ALL_TIME, 10) == [(second, 30), (first, 20)]
    assert _table(_read(community, ALL_TIME, first)) == [(1, "ふたり", 30), (2, "ひとり", 20)]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_leaderboard_page_refuses_bad_input_politely(community: Community, liff_member, liff_client) -> None:
    person = liff_member(nickname="ためし")
    client = liff_client(person.line_user_id)
    page = client.get("/liff/leaderboard?board=weekly")  # an unknown board: this month's
    assert page.status_code == 200 and "今月のランキング" in page.get_data(as_text=True)
    refused = client.post("/liff/leaderboard/visibility", data={"choice": "maybe"})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "設定を読み取れませんでした。もう一度お試しください。"
    assert client.post("/liff/leaderboard/visibility", data={"choice": "hide"}, origin="https://evil.example"
                       ).status_code == 403
    done = client.post("/liff/leaderboard/visibility", data={"choice": "hide", "board": "all"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/liff/leaderboard?board=all&saved=hide")
    with community.reader() as s:
        assert leaderboard.is_hidden(s, person.member_id)
