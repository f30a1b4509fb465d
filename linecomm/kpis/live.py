"""The dashboard's tables that are read live (a handful of grouped statements over small tables or an
indexed range): theme posts' reply rate and reactions, survey participation, ideas per stage, top
referrers. Each takes the range as [start, end) in UTC and an optional cohort ('' = everyone)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from linecomm.ideas.models import Idea
from linecomm.kpis.metrics import cohort_of
from linecomm.kpis.models import ALL_COHORTS
from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem, ContentState
from linecomm.pushes.models import Delivery
from linecomm.referrals.models import Referral
from linecomm.surveys.models import Survey
from linecomm.themes.models import ThemeAnswer, ThemePost, ThemeReaction

LIMIT = 50


def _cohort(stmt, cohort: str, col=Member.cohort):  # noqa: ANN001, ANN202  (a Select)
    return stmt if cohort == ALL_COHORTS else stmt.where(cohort_of(col) == cohort)


@dataclass(frozen=True)
class PostFigures:
    post_id: int
    title: str
    sent_at: datetime | None
    recipients: int
    answerers: int  # members with a published answer
    reactions: int

    @property
    def reply_rate(self) -> float | None:
        return 100.0 * self.answerers / self.recipients if self.recipients else None


def theme_posts(session: Session, start: datetime, end: datetime, cohort: str) -> list[PostFigures]:
    """Theme posts whose delivery started in the range (newest first): recipients (all cohorts: the
    frozen lists are not split by cohort), members who answered and reactions (of the cohort)."""
    sent = (select(Delivery.post_id, func.min(Delivery.started_at).label("sent_at"),
                   func.sum(Delivery.recipients).label("recipients"))
            .where(Delivery.post_id.is_not(None), Delivery.started_at >= start, Delivery.started_at < end)
            .group_by(Delivery.post_id).subquery())
    posts = session.execute(select(ThemePost.id, ThemePost.title, sent.c.sent_at, sent.c.recipients)
                            .join(sent, sent.c.post_id == ThemePost.id)
                            .order_by(sent.c.sent_at.desc(), ThemePost.id.desc()).limit(LIMIT)).all()
    ids = [p.id for p in posts]
    if not ids:
        return []
    answers = dict(session.execute(_cohort(
        select(ThemeAnswer.post_id, func.count(distinct(ThemeAnswer.member_id)))
        .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .join(Member, Member.id == ThemeAnswer.member_id)
        .where(ThemeAnswer.post_id.in_(ids), ContentItem.state == ContentState.PUBLISHED), cohort)
        .group_by(ThemeAnswer.post_id)).all())
    reactions = dict(session.execute(_cohort(
        select(ThemeReaction.post_id, func.count()).join(Member, Member.id == ThemeReaction.member_id)
        .where(ThemeReaction.post_id.in_(ids)), cohort).group_by(ThemeReaction.post_id)).all())
    return [PostFigures(p.id, p.title, p.sent_at, int(p.recipients or 0), int(answers.get(p.id, 0)),
                        int(reactions.get(p.id, 0))) for p in posts]


@dataclass(frozen=True)
class SurveyFigures:
    survey_id: int
    title: str
    responses: int  # submitted in the range (of the cohort)
    members: int  # in the community (of the cohort) at the range's end

    @property
    def rate(self) -> float | None:
        return 100.0 * self.responses / self.members if self.members else None


def surveys(session: Session, start: datetime, end: datetime, counts: dict[int, int], members: int
            ) -> list[SurveyFigures]:
    """Published surveys with responses in the range (`counts`, from the snapshots and today's figures),
    or open during it: responses and their share of the members (the participation rate)."""
    rows = session.execute(
        select(Survey.id, Survey.title).where(
            Survey.published_at.is_not(None), Survey.published_at < end,
            (Survey.id.in_(list(counts)) if counts else Survey.id.is_(None))
            | ((func.coalesce(Survey.closed_at, Survey.closes_at).is_(None))
               | (func.coalesce(Survey.closed_at, Survey.closes_at) >= start)))
        .order_by(Survey.published_at.desc(), Survey.id.desc()).limit(LIMIT)).all()
    return [SurveyFigures(r.id, r.title, int(counts.get(r.id, 0)), members) for r in rows]


def idea_stages(session: Session, start: datetime, end: datetime, cohort: str) -> dict[str, int]:
    """Ideas published in the range, by their stage now."""
    stmt = (select(Idea.stage, func.count()).select_from(Idea).outerjoin(Member, Member.id == Idea.member_id)
            .where(Idea.published_at >= start, Idea.published_at < end))
    return {stage: int(n) for stage, n in session.execute(_cohort(stmt, cohort).group_by(Idea.stage))}


@dataclass(frozen=True)
class Referrer:
    member_id: int
    nickname: str | None
    cohort: str | None
    joins: int


def top_referrers(session: Session, start: datetime, end: datetime, cohort: str, limit: int = 10) -> list[Referrer]:
    """Members whose invitations brought the most joins attributed in the range (ties: the earlier member)."""
    joins = func.count().label("joins")
    stmt = (select(Referral.referrer_member_id, Member.nickname, Member.cohort, joins)
            .join(Member, Member.id == Referral.referrer_member_id)
            .where(Referral.attributed_at >= start, Referral.attributed_at < end)
            .group_by(Referral.referrer_member_id, Member.nickname, Member.cohort)
            .order_by(joins.desc(), Referral.referrer_member_id).limit(limit))
    return [Referrer(r[0], r[1], r[2], int(r[3])) for r in session.execute(_cohort(stmt, cohort))]
