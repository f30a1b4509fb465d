"""A batch of actions (a webhook batch's theme answers, linecomm.actions.record_many) is recorded and paid
with the same number of SQL statements whatever its size: points add no per-answer statement."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.points import rules
from tests.points.helpers import balance
from tests.support.community import Community


@contextmanager
def counted(community: Community) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = community.runtime.engine

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_batch_costs_the_same_statements_whatever_its_size(community: Community, liff_member) -> None:
    members = [liff_member(nickname=f"まとめ{i}").member_id for i in range(4)]
    with community.session() as s:
        rules.set_rule(s, ActionKind.THEME_ANSWER, 10, 30, None, "m@example.com")
    counts = []
    for size, tag in ((4, "small"), (16, "large")):
        rows = [(members[i % 4], ActionKind.THEME_ANSWER, f"theme-answer:{tag}{i}", "theme:1", None)
                for i in range(size)]
        with counted(community) as seen, community.session() as s:
            assert len(actions.record_many(s, rows)) == size
        counts.append(len([q for q in seen if not q.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]))
    assert counts[0] == counts[1], counts
    assert [balance(community, m)[0] for m in members] == [30] * 4  # 5 answers each at 10, capped at 30 a day


def test_checking_a_batch_of_written_answers_for_farming_adds_no_statement_per_answer(
        community: Community, liff_member) -> None:
    from linecomm.moderation import service as moderation
    from linecomm.moderation.models import ContentKind

    members = [liff_member(nickname=f"かき{i}").member_id for i in range(4)]
    counts = []
    for size, tag in ((4, "small"), (16, "large")):
        with community.session() as s:
            items = [moderation.submit(s, members[i % 4], ContentKind.THEME_REPLY,
                                       f"{tag}の{i}番目の回答です。朝は白湯を飲んでいます{i * 7919}", ref="theme:1")
                     for i in range(size)]
            ids = [item.id for item in items]
        rows = [(members[i % 4], ActionKind.THEME_ANSWER, f"theme-answer:w{tag}{i}", "theme:1", ids[i])
                for i in range(size)]
        with counted(community) as seen, community.session() as s:
            assert len(actions.record_many(s, rows)) == size
        counts.append(len([q for q in seen if not q.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]))
    assert counts[0] == counts[1], counts


def _writes_to(statements: list[str], table: str) -> list[str]:
    return [q for q in statements
            if q.lstrip().upper().startswith(("INSERT", "UPDATE", "WITH")) and f" {table} " in f" {q} "
            and (f"INTO {table}" in q or f"UPDATE {table}" in q)]


def test_a_segment_grant_writes_each_members_tallies_once_ranks_and_months_included(
        community: Community, liff_member) -> None:
    """Balance, lifetime, this month's points and rank are one write of `member_points` (the listeners add
    no second write of the 100,000 rows a real segment moves); only the members ranked up are written
    again, to mark their rank-up announced."""
    from linecomm.points import leaderboard, ranks, service
    from linecomm.points.models import MemberPoints
    from linecomm.pushes import segments

    members = [liff_member(nickname=f"いっせい{i}").member_id for i in range(3)]
    with counted(community) as seen, community.session() as s:
        assert service.grant_to_segment(s, segments.Segment(), 100, "お礼", service.new_operation(), "m@x") == 3
    assert len(_writes_to(seen, "member_points")) == 1, seen
    with counted(community) as seen, community.session() as s:  # 300: everyone reaches ブロンズ
        assert service.grant_to_segment(s, segments.Segment(), 200, "お礼", service.new_operation(), "m@x") == 3
    writes = _writes_to(seen, "member_points")
    assert len(writes) == 2 and "rank_announced" in writes[1], writes  # the tallies, then the notices' mark
    now = community.runtime.clock()
    with community.session() as s:
        for member_id in members:
            row = s.get(MemberPoints, member_id)
            assert row is not None
            assert (row.balance, row.lifetime, row.rank_level, row.rank_announced) == (300, 300, 1, 1)
            assert (row.month_key, row.month_points) == (leaderboard.month_of(now), 300)
        assert ranks.current_ladder(s).rank(1).name == "ブロンズ"
