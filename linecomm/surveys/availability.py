"""Which surveys a member may see and answer now.

A survey is for a member when it is published and the member (in the community, or suspended: they may read)
is in its target segment, or already answered it. It is open between `opens_at` and `closes_at` (UTC, against
the clock) unless staff closed it early (`closed_at`). Whether a member is in several surveys' segments is
one statement (a column per survey over the member's row), never a query per survey or per member.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, exists, false, literal, or_, select, true
from sqlalchemy.orm import Session

from linecomm.members.models import Member, MemberStatus
from linecomm.pushes.segments import Segment, SegmentError, narrowing
from linecomm.surveys.models import Survey, SurveyResponse

OPEN_LIST_MAX = 50  # open surveys considered for one member (a community runs a handful at a time)
# Who may see a survey page: members, and suspended members (read only). Everyone else is a stranger.
SEES_SURVEYS = (MemberStatus.MEMBER, MemberStatus.SUSPENDED)


class SurveyState(StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    NOT_FOR_YOU = "not_for_you"
    NOT_FOUND = "not_found"  # no such survey, or a draft


def period_state(survey: Survey, now: datetime) -> SurveyState:
    """OPEN, NOT_YET_OPEN or CLOSED by the survey's period and staff's early close (segment aside)."""
    if survey.closed_at is not None and survey.closed_at <= now:
        return SurveyState.CLOSED
    if survey.closes_at is not None and now >= survey.closes_at:
        return SurveyState.CLOSED
    if survey.opens_at is not None and now < survey.opens_at:
        return SurveyState.NOT_YET_OPEN
    return SurveyState.OPEN


def is_open_now(now: datetime) -> list[ColumnElement[bool]]:
    """`period_state(...) is OPEN` for published surveys, as SQL."""
    return [
        Survey.published_at.is_not(None),
        or_(Survey.closed_at.is_(None), Survey.closed_at > now),
        or_(Survey.opens_at.is_(None), Survey.opens_at <= now),
        or_(Survey.closes_at.is_(None), Survey.closes_at > now),
    ]


def _in_segment(survey: Survey, now: datetime) -> ColumnElement[bool]:
    try:
        where = narrowing(Segment.from_json(survey.segment), now)
    except (SegmentError, ValueError, TypeError):  # a segment that cannot be read reaches nobody
        return false()
    return and_(true(), *where)


def targeted(session: Session, surveys: list[Survey], member_id: int, now: datetime) -> set[int]:
    """The ids among `surveys` that are for the member: in the survey's segment or already answered it.
    One statement: the member's row with a boolean column per survey."""
    if not surveys:
        return set()
    columns = [
        case(
            (or_(
                _in_segment(s, now),
                exists(select(literal(1)).select_from(SurveyResponse)
                       .where(SurveyResponse.survey_id == s.id, SurveyResponse.member_id == Member.id)),
            ), literal(True)),
            else_=literal(False),
        ).label(f"s{i}")
        for i, s in enumerate(surveys)
    ]
    row = session.execute(select(*columns).where(Member.id == member_id, Member.status.in_(SEES_SURVEYS))).first()
    if row is None:
        return set()
    return {s.id for s, hit in zip(surveys, row, strict=True) if hit}


def open_for(session: Session, member_id: int, now: datetime) -> list[Survey]:
    """The published surveys open now that are for the member, closing soonest first."""
    candidates = list(session.scalars(
        select(Survey).where(*is_open_now(now))
        .order_by(Survey.closes_at.is_(None), Survey.closes_at, Survey.id.desc()).limit(OPEN_LIST_MAX)
    ))
    ids = targeted(session, candidates, member_id, now)
    return [s for s in candidates if s.id in ids]


@dataclass(frozen=True)
class Availability:
    survey: Survey | None
    state: SurveyState

    @property
    def readable(self) -> bool:
        """Whether the member may see the questions (and their own answers)."""
        return self.survey is not None and self.state in (SurveyState.OPEN, SurveyState.CLOSED)


def for_member(session: Session, survey_id: int, member_id: int, now: datetime) -> Availability:
    """The survey and where it stands for this member: not found (or a draft), not for them, not yet
    open, closed, or open."""
    survey = session.get(Survey, survey_id)
    if survey is None or survey.published_at is None:
        return Availability(None, SurveyState.NOT_FOUND)
    if survey.id not in targeted(session, [survey], member_id, now):
        return Availability(survey, SurveyState.NOT_FOR_YOU)
    return Availability(survey, period_state(survey, now))
