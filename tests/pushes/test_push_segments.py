"""Segments: who a push reaches, counted with one set-based COUNT (the admin page shows it live)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select

from linecomm.db import utcnow
from linecomm.members.models import Member, MemberStatus, MemberTag, Tag
from linecomm.pushes.segments import Segment, SegmentError, count_recipients
from linecomm.timezones import JST
from tests.pushes.desk import Desk


def _tag(desk: Desk, name: str, line_user_ids: list[str]) -> None:
    with desk.community.session() as s:
        tag_id = s.scalar(insert(Tag).values(name=name, created_at=utcnow()).returning(Tag.id))
        member_ids = s.scalars(select(Member.id).where(Member.line_user_id.in_(line_user_ids))).all()
        s.execute(insert(MemberTag), [{"tag_id": tag_id, "member_id": m, "tagged_at": utcnow()} for m in member_ids])


def test_segments_by_status_cohort_tags_join_dates_and_activity(desk: Desk) -> None:
    now = utcnow()
    april = desk.members(3, cohort="0期生", joined_at=datetime(2026, 4, 10, 23, 30, tzinfo=JST),
                         last_active_at=now - timedelta(days=2))
    may = desk.members(4, cohort="1期生", joined_at=datetime(2026, 5, 1, 0, 15, tzinfo=JST),
                       last_active_at=now - timedelta(days=40))
    desk.members(2, cohort="0期生", status=MemberStatus.LEFT)
    desk.members(2, cohort="0期生", following=False)  # blocked the account
    desk.members(1, cohort="0期生", status=MemberStatus.SUSPENDED)
    _tag(desk, "VIP", april[:2] + may[:1])
    _tag(desk, "モニター", may)

    def count(**filters: object) -> int:
        with desk.community.reader() as s:
            return count_recipients(s, Segment(**filters))  # type: ignore[arg-type]

    assert count() == 7  # only members in the community who follow the account
    assert count(cohorts=("0期生",)) == 3
    assert count(cohorts=("0期生", "1期生")) == 7
    assert count(tags=("VIP",)) == 3
    assert count(tags=("VIP", "モニター")) == 6
    assert count(tags=("モニター",), exclude_tags=("VIP",)) == 3
    assert count(joined_to=date(2026, 4, 30)) == 3  # Japan-time days: 04-10 23:30 JST is 04-10
    assert count(joined_from=date(2026, 5, 1)) == 4  # 05-01 00:15 JST is still 04-30 in UTC
    assert count(active_within_days=7) == 3
    assert count(inactive_for_days=30) == 4
    assert count(cohorts=("1期生",), tags=("VIP",), inactive_for_days=30) == 1


def test_counting_is_one_sql_statement(desk: Desk) -> None:
    desk.members(5)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = desk.community.runtime.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        with desk.community.session() as s:
            s.connection()  # begin first: only the count itself is recorded below
            statements.clear()
            assert count_recipients(s, Segment(cohorts=("1期生",), tags=(), active_within_days=None)) == 5
            counted = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(counted) == 1 and counted[0].lstrip().upper().startswith("SELECT COUNT(*)")


def test_a_segment_that_cannot_match_is_refused_in_japanese() -> None:
    with pytest.raises(SegmentError, match="開始日が終了日より前"):
        Segment(joined_from=date(2026, 5, 2), joined_to=date(2026, 5, 1))
    assert Segment.from_json(Segment(cohorts=("0期生",), joined_to=date(2026, 4, 30)).to_json()) == Segment(
        cohorts=("0期生",), joined_to=date(2026, 4, 30))
