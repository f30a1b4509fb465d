"""A survey's results page and CSV export for a known set of responses: the response rate against the
segment's current size, counts per choice, the rating distribution, the NPS and its split, free-text
answers searchable with their moderation state, and a CSV that Excel in Japan opens, one row per
response, with formula-looking cells neutralised and member text kept as text (never as markup)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from linecomm.members.models import MemberStatus
from linecomm.moderation.models import ContentItem, ContentState, ReviewReason
from linecomm.surveys.models import SurveyAnswer, SurveyResponse
from linecomm.surveys.results import Nps
from tests.admin.console import Console, make_member
from tests.support.community import Community
from tests.surveys.factories import MadeSurvey, make_survey

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
QUESTIONS = [
    {"kind": "single", "prompt": "お使いですか", "choices": ["はい", "いいえ"]},
    {"kind": "multiple", "prompt": "好きな味", "choices": ["抹茶", "ほうじ茶", "玄米茶"]},
    {"kind": "rating", "prompt": "満足度"},
    {"kind": "nps", "prompt": "おすすめ度", "required": False},
    {"kind": "text", "prompt": "ご意見", "required": False},
]


@dataclass
class Given:
    single: int
    multiple: list[int] = field(default_factory=list)
    rating: int | None = None
    nps: int | None = None
    text: str | None = None
    flagged: bool = False


# Eight responses: NPS answers 10, 10, 9, 9, 8, 6, 2 (one skipped): 4 promoters, 1 passive, 2 detractors.
GIVEN = [
    Given(1, [1, 2], 5, 10, "とても良いです"),
    Given(1, [1], 5, 10, XSS),
    Given(1, [2, 3], 4, 9, "=HYPERLINK(\"http://evil.example\",\"click\")"),
    Given(1, [1, 3], 4, 9, "+81 90 0000 0000", flagged=True),
    Given(1, [3], 3, 8, "-ほどほど"),
    Given(2, [], 2, 6, "@SUM(A1)"),
    Given(2, [1], 1, 2, "\tタブ始まり"),
    Given(1, [1, 2, 3], 3, None, None),
]


def _answer(s: Session, response_id: int, question_id: int, **values: object) -> None:
    s.add(SurveyAnswer(response_id=response_id, question_id=question_id, **values))


def _fill(s: Session, made: MadeSurvey, member_id: int, given: Given, at: datetime) -> None:
    response = SurveyResponse(survey_id=made.id, member_id=member_id, submission_key=f"key-{member_id:016d}",
                              submitted_at=at, updated_at=at)
    s.add(response)
    s.flush()
    _answer(s, response.id, made.q(1), choice_id=made.c(1, given.single))
    for pos in given.multiple:
        _answer(s, response.id, made.q(2), choice_id=made.c(2, pos))
    _answer(s, response.id, made.q(3), number=given.rating)
    if given.nps is not None:
        _answer(s, response.id, made.q(4), number=given.nps)
    if given.text is not None:
        item = ContentItem(member_id=member_id, kind="survey_answer", ref=f"survey:{made.id}", body=given.text,
                           state=ContentState.PUBLISHED, in_queue=given.flagged,
                           review_reason=ReviewReason.FLAGGED if given.flagged else None)
        s.add(item)
        s.flush()
        _answer(s, response.id, made.q(5), text=given.text, content_item_id=item.id)


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)


@pytest.fixture
def survey(community: Community) -> tuple[MadeSurvey, list[int]]:
    """The survey, ten members in its segment (eight answered), and a follower who is not counted."""
    with community.session() as s:
        made = make_survey(s, title="お茶アンケート", questions=QUESTIONS)
        members = [make_member(s, nickname="=危険な名前" if i == 0 else f"会員{i}").id for i in range(10)]
        make_member(s, nickname=None, status=MemberStatus.FOLLOWER)
        for i, given in enumerate(GIVEN):
            _fill(s, made, members[i], given, datetime(2026, 12, 1, 1, i, tzinfo=UTC))
    return made, members


def test_nps_is_promoters_minus_detractors_as_a_share_of_nps_answers() -> None:
    assert Nps.of({10: 2, 9: 2, 8: 1, 6: 1, 2: 1}).score == 29  # (4 - 2) / 7 = 28.6 %
    assert Nps.of({s: 1 for s in range(11)}).score == round(100 * (2 - 7) / 11)
    assert Nps.of({}).score is None and Nps.of({7: 3}).score == 0 and Nps.of({0: 1}).score == -100


def test_the_results_page_counts_the_known_responses(console: Console, survey: tuple[MadeSurvey, list[int]]) -> None:
    made, members = survey
    page = console.client("marketer").get(f"/admin/surveys/{made.id}").get_data(as_text=True)
    assert 'data-stat="responses">8件' in page and 'data-stat="target">10人' in page
    assert 'data-stat="rate">80.0%' in page
    # Choices: はい 6, いいえ 2; 抹茶 5, ほうじ茶 3, 玄米茶 4 of 7 who answered (shares of respondents).
    assert "回答者8人。はい 6件（75%）、いいえ 2件（25%）" in page
    assert "回答者7人。抹茶 5件（71%）、ほうじ茶 3件（43%）、玄米茶 4件（57%）" in page
    # Ratings 5,5,4,4,3,2,1,3: mean 3.38, and the distribution 1..5.
    assert "平均 <strong>3.38</strong> / 5" in page
    assert "回答者8人。1 1件（12%）、2 1件（12%）、3 2件（25%）、4 2件（25%）、5 2件（25%）" in page
    assert 'data-nps="29"' in page and "NPS <strong>+29</strong>" in page
    assert "推奨者（9〜10）：4人（57.1%）" in page and "中立者（7〜8）：1人（14.3%）" in page
    assert "批判者（0〜6）：2人（28.6%）" in page
    assert page.count('role="img"') == 5 and "<title id=" in page and "<desc id=" in page
    # Free texts: the payload is text, the flagged answer shows its state, the nickname links to the member.
    assert XSS not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "要確認" in page
    assert f'href="/admin/members/{members[1]}">会員1</a>' in page


def test_free_text_answers_are_searchable(console: Console, survey: tuple[MadeSurvey, list[int]]) -> None:
    made, members = survey
    marketer = console.client("marketer")
    page = marketer.get(f"/admin/surveys/{made.id}?q=HYPERLINK").get_data(as_text=True)
    assert "HYPERLINK" in page and "とても良いです" not in page
    by_name = marketer.get(f"/admin/surveys/{made.id}?q=会員4").get_data(as_text=True)
    assert "-ほどほど" in by_name and "とても良いです" not in by_name
    percent = marketer.get(f"/admin/surveys/{made.id}?q=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert "該当する回答はありません。" in percent


def test_the_csv_has_a_bom_one_row_per_response_and_neutralised_cells(
        console: Console, survey: tuple[MadeSurvey, list[int]]) -> None:
    made, members = survey
    before = console.audit_count("survey.export")
    response = console.client("marketer").get(f"/admin/surveys/{made.id}/responses.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(f"attachment; filename=survey-{made.id}-responses-")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")[1:])))
    assert rows[0] == ["ニックネーム", "メンバーID", "回答日時（日本時間）", "Q1 お使いですか", "Q2 好きな味",
                       "Q3 満足度", "Q4 おすすめ度", "Q5 ご意見"]
    assert len(rows) == 1 + len(GIVEN)
    first = rows[1]
    assert first[:3] == ["'=危険な名前", str(members[0]), "2026-12-01 10:00:00"]
    assert first[3:] == ["はい", "抹茶、ほうじ茶", "5", "10", "とても良いです"]
    assert rows[2][7] == XSS  # text stays text in a CSV
    assert rows[3][4] == "ほうじ茶、玄米茶" and rows[3][7].startswith("'=HYPERLINK")
    assert rows[4][7] == "'+81 90 0000 0000" and rows[5][7] == "'-ほどほど" and rows[6][7] == "'@SUM(A1)"
    assert rows[7][7] == "'\tタブ始まり"
    assert rows[8][4:] == ["抹茶、ほうじ茶、玄米茶", "3", "", ""]  # NPS and text skipped
    assert console.audit_count("survey.export") == before + 1
