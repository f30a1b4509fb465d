"""The rules of answering a survey, through the surveys service on both databases: validation messages
beside each question, branching, one response per member, the same submission twice, edits until the close,
answer → tag, free texts through the NG-word screen, and who a survey is for."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from linecomm.db import utcnow
from linecomm.members import tags
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import ngwords
from linecomm.moderation.models import ContentItem, ContentState, ReviewReason
from linecomm.pushes.segments import Segment
from linecomm.surveys import availability, copy, service
from linecomm.surveys.availability import SurveyState
from linecomm.surveys.models import SurveyAnswer, SurveyResponse
from linecomm.surveys.service import Outcome
from tests.admin.console import make_member
from tests.support.community import Community
from tests.surveys.factories import MadeSurvey, make_survey

KEY1, KEY2, KEY3 = "k" * 20, "second-submission-key", "third_submission_key_"

QUESTIONS = [
    {"kind": "single", "prompt": "お使いですか", "choices": [("はい", "愛用者"), "いいえ"]},
    {"kind": "text", "prompt": "使わない理由", "show_if": (1, 2)},
    {"kind": "multiple", "prompt": "好きな味", "choices": [("抹茶", "抹茶好き"), "ほうじ茶", "玄米茶"]},
    {"kind": "rating", "prompt": "満足度"},
    {"kind": "nps", "prompt": "おすすめ度", "required": False},
    {"kind": "text", "prompt": "ご意見", "required": False},
]


def _setup(community: Community, **survey: object) -> tuple[MadeSurvey, int]:
    with community.session() as s:
        made = make_survey(s, title="お茶アンケート", questions=survey.pop("questions", QUESTIONS), **survey)  # type: ignore[arg-type]
        member = make_member(s, nickname="花子")
        return made, member.id


def _submit(community: Community, made: MadeSurvey, member_id: int, raw: dict[int, list[str]], key: str,
            now: object = None) -> service.Submitted:
    with community.session() as s:
        return service.submit(s, made.id, member_id, raw, key, now or utcnow())  # type: ignore[arg-type]


def _good(made: MadeSurvey) -> dict[int, list[str]]:
    return {made.q(1): [str(made.c(1, 1))], made.q(3): [str(made.c(3, 1)), str(made.c(3, 3))], made.q(4): ["4"]}


def _stored(community: Community, made: MadeSurvey) -> list[tuple[int, int | None, int | None, str | None]]:
    with community.reader() as s:
        return sorted(s.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.choice_id, SurveyAnswer.number, SurveyAnswer.text)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id == made.id)
        ).all(), key=repr)


def test_each_question_gets_its_own_japanese_message_and_nothing_is_stored(community: Community) -> None:
    made, member_id = _setup(community)
    result = _submit(community, made, member_id, {}, KEY1)
    assert result.outcome is Outcome.INVALID
    assert result.errors == {made.q(1): copy.CHOOSE_ONE, made.q(3): copy.CHOOSE_SOME, made.q(4): copy.RATING_RANGE}
    bad = {
        made.q(1): [str(made.c(1, 1)), str(made.c(1, 2))],  # two picks on a single choice
        made.q(3): [str(made.c(1, 1))],  # a choice of another question
        made.q(4): ["6"], made.q(5): ["11"], made.q(6): ["あ" * 1001],
    }
    result = _submit(community, made, member_id, bad, KEY1)
    assert result.errors == {made.q(1): copy.ONLY_ONE, made.q(3): copy.UNKNOWN_CHOICE, made.q(4): copy.RATING_RANGE,
                             made.q(5): copy.NPS_RANGE, made.q(6): "1,000文字以内でご記入ください（現在1,001文字）。"}
    result = _submit(community, made, member_id, {**_good(made), made.q(4): ["abc"], made.q(5): ["-1"]}, KEY1)
    assert result.errors == {made.q(4): copy.RATING_RANGE, made.q(5): copy.NPS_RANGE}
    assert _stored(community, made) == []
    # full-width digits are what many phones type
    assert _submit(community, made, member_id, {**_good(made), made.q(5): ["１０"]}, KEY1).outcome is Outcome.SAVED
    assert (made.q(5), None, 10, None) in _stored(community, made)


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped(community: Community) -> None:
    made, member_id = _setup(community)
    # 「はい」: the reason question is hidden; a reason sent anyway is not stored
    raw = {**_good(made), made.q(2): ["高いから"]}
    assert _submit(community, made, member_id, raw, KEY1).outcome is Outcome.SAVED
    assert all(q != made.q(2) for q, *_ in _stored(community, made))
    # 「いいえ」: the reason is shown, and required
    raw = {**_good(made), made.q(1): [str(made.c(1, 2))]}
    assert _submit(community, made, member_id, raw, KEY2).errors == {made.q(2): copy.WRITE_SOMETHING}
    raw[made.q(2)] = ["  高いから \r\n です "]
    assert _submit(community, made, member_id, raw, KEY2).outcome is Outcome.UPDATED
    assert (made.q(2), None, None, "高いから \n です") in _stored(community, made)


def test_the_same_submission_twice_changes_nothing(community: Community) -> None:
    made, member_id = _setup(community)
    first = _submit(community, made, member_id, _good(made), KEY1)
    stored = _stored(community, made)
    again = _submit(community, made, member_id, {**_good(made), made.q(4): ["1"]}, KEY1)
    assert (first.outcome, again.outcome) == (Outcome.SAVED, Outcome.REPEATED)
    assert _stored(community, made) == stored
    with community.reader() as s:
        response = service.response_of(s, made.id, member_id)
        assert response is not None and response.edit_count == 0


def test_two_first_submissions_at_once_store_one_response(community: Community) -> None:
    made, member_id = _setup(community)
    barrier, outcomes = threading.Barrier(2), []

    def send() -> None:
        barrier.wait()
        outcomes.append(_submit(community, made, member_id, _good(made), KEY1).outcome)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [Outcome.REPEATED, Outcome.SAVED]
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_an_answer_is_editable_until_the_survey_closes(community: Community) -> None:
    closes = utcnow() + timedelta(hours=1)
    made, member_id = _setup(community, closes_at=closes)
    _submit(community, made, member_id, _good(made), KEY1)
    edited = _submit(community, made, member_id, {**_good(made), made.q(4): ["2"]}, KEY2)
    assert edited.outcome is Outcome.UPDATED and edited.response is not None and edited.response.edit_count == 1
    assert (made.q(4), None, 2, None) in _stored(community, made)
    assert (made.q(4), None, 4, None) not in _stored(community, made)
    late = _submit(community, made, member_id, {**_good(made), made.q(4): ["5"]}, KEY3, now=closes)
    assert (late.outcome, late.state) == (Outcome.REFUSED, SurveyState.CLOSED)
    assert (made.q(4), None, 2, None) in _stored(community, made)
    with community.session() as s:  # staff closing it early has the same effect
        made.survey = s.merge(made.survey)
        made.survey.closes_at, made.survey.closed_at = None, utcnow() - timedelta(seconds=1)
    assert _submit(community, made, member_id, _good(made), KEY3).state is SurveyState.CLOSED


def test_picked_choices_tag_the_member_and_an_edit_takes_off_only_what_the_survey_added(
        community: Community) -> None:
    made, member_id = _setup(community)
    with community.session() as s:
        staff_tag = tags.create(s, "抹茶好き")  # put on by staff before the survey
        tags.assign(s, s.get(Member, member_id), staff_tag)
    first = _submit(community, made, member_id, _good(made), KEY1)  # はい (愛用者) + 抹茶 (抹茶好き)
    assert first.tags_added == {"愛用者"}
    with community.reader() as s:
        assert [t.name for t in tags.of_member(s, member_id)] == ["愛用者", "抹茶好き"]
    raw = {made.q(1): [str(made.c(1, 2))], made.q(2): ["高い"], made.q(3): [str(made.c(3, 2))], made.q(4): ["3"]}
    edited = _submit(community, made, member_id, raw, KEY2)
    assert (edited.tags_added, edited.tags_removed) == (set(), {"愛用者"})
    with community.reader() as s:  # the staff's tag stays even though 抹茶 is no longer picked
        assert [t.name for t in tags.of_member(s, member_id)] == ["抹茶好き"]
    assert _submit(community, made, member_id, _good(made), KEY3).tags_added == {"愛用者"}


def test_a_free_text_answer_goes_through_the_ng_word_screen(community: Community) -> None:
    made, member_id = _setup(community)
    with community.session() as s:
        ngwords.add(s, "副業", "flag")
    raw = {**_good(made), made.q(6): ["副業のお誘いです"]}
    assert _submit(community, made, member_id, raw, KEY1).outcome is Outcome.SAVED
    with community.reader() as s:
        answer = s.scalar(select(SurveyAnswer).where(SurveyAnswer.question_id == made.q(6)))
        assert answer is not None and answer.content_item_id is not None
        item = s.get(ContentItem, answer.content_item_id)
        assert item is not None
        assert (item.kind, item.ref, item.member_id) == ("survey", f"survey:{made.id}", member_id)
        assert (item.in_queue, item.review_reason, item.state) == (True, ReviewReason.FLAGGED, ContentState.PUBLISHED)
    # an edit that keeps the text keeps its item (not queued twice)
    _submit(community, made, member_id, {**raw, made.q(4): ["1"]}, KEY2)
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(ContentItem)) == 1


def test_a_survey_is_for_its_segment_and_open_only_in_its_period(community: Community) -> None:
    now = utcnow()
    with community.session() as s:
        second = make_survey(s, title="2期生だけ", questions=QUESTIONS[:1], segment=Segment(cohorts=("2期生",)))
        later = make_survey(s, title="来週から", questions=QUESTIONS[:1], opens_at=now + timedelta(days=7),
                            closes_at=now + timedelta(days=14))
        draft = make_survey(s, title="下書き", questions=QUESTIONS[:1], published=False)
        everyone = make_survey(s, title="みんなへ", questions=QUESTIONS[:1], closes_at=None)
        first_id = make_member(s, nickname="一期", cohort="1期生").id
        second_id = make_member(s, nickname="二期", cohort="2期生").id
        suspended_id = make_member(s, nickname="停止中", cohort="2期生", status=MemberStatus.SUSPENDED).id
    with community.reader() as s:
        assert [x.survey.title for x in service.open_for_member(s, first_id, now)] == ["みんなへ"]
        assert [x.survey.title for x in service.open_for_member(s, second_id, now)] == ["2期生だけ", "みんなへ"]
        assert [x.survey.title for x in service.open_for_member(s, suspended_id, now)] == ["2期生だけ", "みんなへ"]
        assert availability.for_member(s, second.id, first_id, now).state is SurveyState.NOT_FOR_YOU
        assert availability.for_member(s, later.id, first_id, now).state is SurveyState.NOT_YET_OPEN
        assert availability.for_member(s, draft.id, first_id, now).state is SurveyState.NOT_FOUND
        assert availability.for_member(s, 10**6, first_id, now).state is SurveyState.NOT_FOUND
    refused = _submit(community, second, first_id, {second.q(1): [str(second.c(1, 1))]}, KEY1)
    assert (refused.outcome, refused.state) == (Outcome.REFUSED, SurveyState.NOT_FOR_YOU)
    suspended = _submit(community, second, suspended_id, {second.q(1): [str(second.c(1, 1))]}, KEY1)
    assert (suspended.outcome, suspended.suspended) == (Outcome.REFUSED, True)
    assert _submit(community, everyone, first_id, {everyone.q(1): [str(everyone.c(1, 2))]}, KEY1).stored
