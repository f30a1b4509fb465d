"""A survey's live results for staff: responses against the target segment's current size, counts per
choice, the distribution of ratings and NPS scores (with the NPS itself), and the free-text answers with
their moderation state. Every tally is one GROUP BY in the database; no response is loaded to count it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem
from linecomm.pushes.segments import Segment, count_recipients
from linecomm.surveys.builder import questions_of
from linecomm.surveys.models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

SCALES = {QuestionKind.RATING: range(1, 6), QuestionKind.NPS: range(0, 11)}


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score: promoters (9-10) minus detractors (0-6), as a percentage of NPS answers."""

    promoters: int
    passives: int
    detractors: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> int | None:
        """Rounded to a whole point (the way NPS is quoted); None without answers."""
        if not self.answers:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answers)

    def share(self, part: int) -> float:
        return 100 * part / self.answers if self.answers else 0.0

    @classmethod
    def of(cls, counts: dict[int, int]) -> Nps:
        return cls(promoters=sum(n for score, n in counts.items() if score >= 9),
                   passives=sum(n for score, n in counts.items() if 7 <= score <= 8),
                   detractors=sum(n for score, n in counts.items() if score <= 6))


@dataclass(frozen=True)
class Tally:
    """One question's results: `bars` (label, count) for choices and scales, `answered` respondents."""

    question: SurveyQuestion
    answered: int
    bars: list[tuple[str, int]]
    nps: Nps | None = None
    mean: float | None = None  # ratings

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass(frozen=True)
class Results:
    responses: int
    target: int  # members the segment matches right now
    tallies: list[Tally]
    last_at: datetime | None

    @property
    def rate(self) -> float | None:
        """Responses as a percentage of the target segment's current size (members who answered and have
        since left the segment still count as responses, so it can pass 100)."""
        return 100 * self.responses / self.target if self.target else None


def results(session: Session, survey: Survey, now: datetime | None = None) -> Results:
    """The survey's results as of now: a handful of aggregate statements whatever the number of responses
    (one GROUP BY over the answers for every tally; a distinct count of respondents only for multiple
    choice, where a response holds several answers to one question)."""
    loaded = questions_of(session, survey.id)
    responses, last_at = session.execute(
        select(func.count(), func.max(SurveyResponse.submitted_at)).where(SurveyResponse.survey_id == survey.id)
    ).one()
    target = count_recipients(session, Segment.from_json(survey.segment), now or utcnow())
    ids = [q.id for q, _ in loaded]
    multiple = [q.id for q, _ in loaded if q.kind == QuestionKind.MULTIPLE]
    answers: dict[int, int] = {}  # per question: answers (= respondents, but for multiple choice)
    by_choice: dict[int, int] = {}
    by_number: dict[tuple[int, int], int] = {}
    respondents: dict[int, int] = {}
    if ids:
        for question_id, choice_id, number, count in session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.choice_id, SurveyAnswer.number, func.count())
            .where(SurveyAnswer.question_id.in_(ids))
            .group_by(SurveyAnswer.question_id, SurveyAnswer.choice_id, SurveyAnswer.number)
        ):
            answers[question_id] = answers.get(question_id, 0) + count
            if choice_id is not None:
                by_choice[choice_id] = by_choice.get(choice_id, 0) + count
            elif number is not None:
                by_number[(question_id, number)] = by_number.get((question_id, number), 0) + count
    if multiple:
        respondents = {q: int(n) for q, n in session.execute(
            select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
            .where(SurveyAnswer.question_id.in_(multiple)).group_by(SurveyAnswer.question_id))}
    tallies = []
    for question, choices in loaded:
        n = respondents.get(question.id, 0) if question.kind == QuestionKind.MULTIPLE else answers.get(question.id, 0)
        if question.kind in QuestionKind.WITH_CHOICES:
            tallies.append(Tally(question, n, [(c.label, by_choice.get(c.id, 0)) for c in choices]))
        elif question.kind in SCALES:
            counts = {score: by_number.get((question.id, score), 0) for score in SCALES[question.kind]}
            total = sum(counts.values())
            mean = sum(s * c for s, c in counts.items()) / total if total else None
            tallies.append(Tally(question, n, [(str(s), c) for s, c in counts.items()],
                                 nps=Nps.of(counts) if question.kind == QuestionKind.NPS else None, mean=mean))
        else:
            tallies.append(Tally(question, n, []))
    return Results(int(responses or 0), target, tallies, last_at)


@dataclass(frozen=True)
class TextAnswer:
    answer_id: int
    question_position: int
    question_prompt: str
    text: str | None  # None: erased (privacy)
    member_id: int
    nickname: str | None
    submitted_at: datetime
    state: str | None  # the moderation core's state of the text (None: not submitted to it)
    in_queue: bool
    review_reason: str | None


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def text_answers(session: Session, survey_id: int, query: str = "", question_id: int | None = None,
                 before_id: int | None = None, limit: int = 50) -> list[TextAnswer]:
    """Free-text answers, newest first, `limit` at a time (`before_id` pages on), optionally only those
    whose text or member nickname contains `query`."""
    stmt = (
        select(SurveyAnswer.id, SurveyQuestion.position, SurveyQuestion.prompt, SurveyAnswer.text,
               SurveyResponse.member_id, Member.nickname, SurveyResponse.submitted_at, ContentItem.state,
               ContentItem.in_queue, ContentItem.review_reason, ContentItem.redacted_at)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Member, Member.id == SurveyResponse.member_id)
        .outerjoin(ContentItem, ContentItem.id == SurveyAnswer.content_item_id)
        .where(SurveyQuestion.survey_id == survey_id, SurveyQuestion.kind == QuestionKind.TEXT,
               SurveyAnswer.text.is_not(None))
        .order_by(SurveyAnswer.id.desc())
        .limit(limit)
    )
    if query.strip():
        pattern = _like(query.strip())
        stmt = stmt.where(or_(SurveyAnswer.text.ilike(pattern, escape="\\"),
                              Member.nickname.ilike(pattern, escape="\\")))
    if question_id is not None:
        stmt = stmt.where(SurveyAnswer.question_id == question_id)
    if before_id is not None:
        stmt = stmt.where(SurveyAnswer.id < before_id)
    return [
        TextAnswer(aid, pos, prompt, None if redacted else text, member_id, nickname, at, state, bool(queued),
                   reason)
        for aid, pos, prompt, text, member_id, nickname, at, state, queued, reason, redacted in session.execute(stmt)
    ]


def response_counts(session: Session, survey_ids: list[int]) -> dict[int, int]:
    """Responses per survey (for the list), one GROUP BY."""
    if not survey_ids:
        return {}
    return {sid: int(n) for sid, n in session.execute(
        select(SurveyResponse.survey_id, func.count()).where(SurveyResponse.survey_id.in_(survey_ids))
        .group_by(SurveyResponse.survey_id))}

