"""`member_active_months` follows the actions recorded through the actions service: a batch marks its members'
Japan-time months with one statement, a redelivered batch adds nothing, and a withdrawal leaves its month."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, func, select

from linecomm.actions import active_months
from linecomm.actions import service as actions
from linecomm.actions.models import MemberAction, MemberActiveMonth
from linecomm.actions.service import ActionKind
from linecomm.ideas import service as ideas
from tests.admin.console import make_member
from tests.support.community import Community

NOV_30_JST = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 23:30 on 30 November in Japan
DEC_1_JST = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 00:30 on 1 December in Japan (still November in UTC)
JAN_JST = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)


def _months(community: Community) -> set[tuple[int, str]]:
    with community.reader() as s:
        return {(m, month) for m, month in s.execute(select(MemberActiveMonth.member_id, MemberActiveMonth.month))}


@contextmanager
def _writes_to_active_months(community: Community) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "member_active_months" in statement:
            seen.append(statement)

    engine = community.runtime.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_month_names_and_windows_are_japan_time() -> None:
    assert active_months.month_of(NOV_30_JST) == "2026-11" and active_months.month_of(DEC_1_JST) == "2026-12"
    assert active_months.window(DEC_1_JST, 1) == ("2026-12", "2026-12")
    assert active_months.window(JAN_JST, 3) == ("2026-11", "2027-01")
    assert active_months.window(JAN_JST, 13) == ("2026-01", "2027-01")


def test_a_batch_marks_its_members_months_in_one_statement_and_a_redelivery_adds_nothing(
        community: Community) -> None:
    with community.session() as s:
        a, b, c = (make_member(s, nickname=n).id for n in ("あい", "べつ", "しー"))
    late_november = [(a, ActionKind.THEME_ANSWER, "theme-answer:n1", "theme:1", None),
                     (a, ActionKind.THEME_ANSWER, "theme-answer:n2", "theme:1", None),
                     (b, ActionKind.THEME_ANSWER, "theme-answer:n3", "theme:1", None)]
    with _writes_to_active_months(community) as writes, community.session() as s:
        assert len(actions.record_many(s, late_november, at=NOV_30_JST)) == 3
    assert len(writes) == 1  # one INSERT for the batch
    assert _months(community) == {(a, "2026-11"), (b, "2026-11")}

    # The same batch delivered again: no action is new, so nothing is written.
    with _writes_to_active_months(community) as writes, community.session() as s:
        assert actions.record_many(s, late_november, at=DEC_1_JST) == []
        assert actions.record(s, a, ActionKind.THEME_ANSWER, "theme-answer:n1", at=DEC_1_JST) is None
    assert writes == []
    assert _months(community) == {(a, "2026-11"), (b, "2026-11")}

    # Half an hour later it is December in Japan (not yet in UTC); a month already marked is not added twice.
    early_december = [(a, ActionKind.THEME_ANSWER, "theme-answer:d1", "theme:1", None),
                      (c, ActionKind.THEME_ANSWER, "theme-answer:d2", "theme:1", None)]
    with community.session() as s:
        assert len(actions.record_many(s, early_december, at=DEC_1_JST)) == 2
        actions.record(s, b, ActionKind.REACTION, "theme-reaction:1:b:like", at=NOV_30_JST)
    assert _months(community) == {(a, "2026-11"), (b, "2026-11"), (a, "2026-12"), (c, "2026-12")}
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(MemberActiveMonth)) == 4


def test_a_withdrawn_support_keeps_its_month_and_support_given_again_adds_its_own(community: Community) -> None:
    with community.session() as s:
        author = make_member(s, nickname="かくひと").id
        supporter = make_member(s, nickname="おうえん").id
        idea = ideas.submit(s, author, ideas.Draft.read("目盛り付きボトル", "残量が分かると便利です", "商品"),
                            NOV_30_JST)
        idea_id = idea.id
    with community.session() as s:
        assert ideas.support(s, idea_id, supporter, NOV_30_JST, "1234567890-test").outcome \
            is ideas.SupportOutcome.SUPPORTED
    with community.session() as s:
        assert ideas.withdraw_support(s, idea_id, supporter, NOV_30_JST).outcome is ideas.SupportOutcome.WITHDRAWN
    assert (supporter, "2026-11") in _months(community)  # withdrawing does not un-happen the activity
    with community.session() as s:
        assert ideas.support(s, idea_id, supporter, JAN_JST, "1234567890-test").outcome \
            is ideas.SupportOutcome.SUPPORTED
    with community.reader() as s:
        # One action row, re-dated to January; both months stay.
        assert s.scalar(select(func.count()).where(MemberAction.member_id == supporter)) == 1
    assert {m for member, m in _months(community) if member == supporter} == {"2026-11", "2027-01"}
    assert {m for member, m in _months(community) if member == author} == {"2026-11"}
