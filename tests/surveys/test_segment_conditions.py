"""Segments gain "answered survey X" and "answered X with choice Y": counted by the pushes' own set-based
statements (pushes never import surveys: the conditions are registered), kept through JSON, described in
Japanese, and checked against what exists."""
from __future__ import annotations

import pytest

from linecomm.db import utcnow
from linecomm.members.models import MemberStatus
from linecomm.pushes import segments
from linecomm.pushes.segments import Segment, count_recipients, segment_problems
from linecomm.surveys import service
from tests.admin.console import make_member
from tests.support.community import Community
from tests.surveys.factories import make_survey

QUESTIONS = [{"kind": "single", "prompt": "朝食は", "choices": ["パン", "ごはん", "食べない"]},
             {"kind": "multiple", "prompt": "飲み物", "choices": ["コーヒー", "緑茶"], "required": False}]


def test_answered_survey_and_answered_choice_count_the_right_members(community: Community) -> None:
    now = utcnow()
    with community.session() as s:
        made = make_survey(s, title="朝ごはん調査", questions=QUESTIONS)
        other = make_survey(s, title="別の調査", questions=QUESTIONS)
        bread, rice = made.c(1, 1), made.c(1, 2)
        people = [make_member(s, nickname=f"会員{i}", cohort="1期生" if i < 3 else "2期生").id for i in range(5)]
        make_member(s, nickname="未回答")
        left = make_member(s, nickname="退会済み", status=MemberStatus.MEMBER)
        picks = {people[0]: bread, people[1]: rice, people[2]: bread, people[3]: rice, left.id: bread}
        for number, (member_id, choice) in enumerate(picks.items()):
            key = f"segment-test-key-{number:04d}"
            raw = {made.q(1): [str(choice)], made.q(2): [str(made.c(2, 2))] if member_id == people[3] else []}
            assert service.submit(s, made.id, member_id, raw, key, now).stored
        assert service.submit(s, other.id, people[4], {other.q(1): [str(other.c(1, 3))]}, "other-survey-key-0001",
                              now).stored
        left.status = MemberStatus.LEFT  # answered, then left: pushes never reach them
    with community.reader() as s:
        assert count_recipients(s, Segment(answered_surveys=(made.id,))) == 4
        assert count_recipients(s, Segment(answered_surveys=(made.id, other.id))) == 5
        assert count_recipients(s, Segment(answered_choices=(bread,))) == 2
        assert count_recipients(s, Segment(answered_choices=(bread, rice))) == 4
        assert count_recipients(s, Segment(answered_choices=(made.c(2, 2),))) == 1
        assert count_recipients(s, Segment(answered_choices=(bread,), cohorts=("2期生",))) == 0
        assert count_recipients(s, Segment(answered_choices=(rice,), cohorts=("2期生",))) == 1
        assert count_recipients(s, Segment(answered_surveys=(made.id,), answered_choices=(other.c(1, 3),))) == 0
    # the same condition narrows who a survey is for
    with community.session() as s:
        follow_up = make_survey(s, title="パン派の方へ", questions=QUESTIONS[:1],
                                segment=Segment(answered_choices=(bread,)))
    with community.reader() as s:
        assert {x.survey.id for x in service.open_for_member(s, people[0], now)} == {made.id, other.id, follow_up.id}
        assert {x.survey.id for x in service.open_for_member(s, people[1], now)} == {made.id, other.id}


def test_the_conditions_survive_json_and_are_described_and_checked(community: Community) -> None:
    with community.session() as s:
        made = make_survey(s, title="朝ごはん調査", questions=QUESTIONS)
    segment = Segment(tags=("常連",), answered_surveys=(made.id,), answered_choices=(made.c(1, 2), made.c(1, 3)))
    assert Segment.from_json(segment.to_json()) == segment
    assert Segment.from_json('{"tags": ["常連"]}') == Segment(tags=("常連",))  # older segments read as before
    with community.reader() as s:
        text = segment.describe(s)
        assert "アンケート回答済み: 「朝ごはん調査」" in text
        assert "アンケートの回答: 「朝ごはん調査」で「ごはん」・「朝ごはん調査」で「食べない」（いずれか）" in text
        assert f"アンケート回答済み: No.{made.id}" in segment.describe()  # without a session: by number
        assert segment_problems(s, segment) == []
        wrong = Segment(answered_surveys=(made.id + 100,), answered_choices=(made.c(1, 1) + 100,))
        assert segment_problems(s, wrong) == [f"アンケート（No.{made.id + 100}）が見つかりません。",
                                              f"アンケートの選択肢（No.{made.c(1, 1) + 100}）が見つかりません。"]


def test_a_condition_nobody_registered_is_refused_rather_than_matching_everyone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "_REGISTERED", {})
    monkeypatch.setattr(segments, "CONDITION_MODULES", ())
    with pytest.raises(segments.SegmentError):
        segments.conditions(Segment(answered_surveys=(1,)), utcnow())
    assert len(segments.conditions(Segment(cohorts=("1期生",)), utcnow())) == 2  # the others are untouched
