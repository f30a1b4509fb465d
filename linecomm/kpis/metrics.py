"""The KPI metrics, each one set-based statement over a time window, grouped by cohort: never a loop over
members. A function returns {cohort: figure} (cohort '-' for members without one); the whole community's
figure is the sum, since every member is in exactly one cohort. Windows are [start, end) in UTC.

Definitions (also written on the dashboard):
- a member "in the community" at a moment joined before it and had not left (退会 or APPI deletion) by then.
  The member row keeps only the latest join, so a member who left and came back counts from their rejoin
  when a past day is recomputed; the daily snapshot taken at the time kept the figure as it was.
- "active" in a window: sent the account a chat message, or made any post (theme answer, review, idea,
  comment, question, answer, survey free text), or did a recorded action (reaction, vote, survey response,
  support, answer ...). Actions members receive (helpful marks, adoption, best answer, referral) do not count.
- ROM: in the community, sent at least one push in the window and not active in it.
- UGC: published posts only (hidden, held or blocked posts are not counted).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, literal_column, or_, select, text, union
from sqlalchemy.orm import Session

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.db import UTCDateTime, dialect_name
from linecomm.kpis.models import NO_COHORT
from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.referrals.models import Referral, ReferralShare
from linecomm.surveys.models import QuestionKind, SurveyAnswer, SurveyQuestion, SurveyResponse
from linecomm.timezones import JST
from linecomm.webhooks.models import WebhookEvent

Figures = dict[str, int]

ACTIVE_KINDS = (ActionKind.THEME_ANSWER, ActionKind.REACTION, ActionKind.VOTE, ActionKind.SURVEY_RESPONSE,
                ActionKind.REVIEW_PUBLISHED, ActionKind.IDEA_SUBMITTED, ActionKind.IDEA_SUPPORTED,
                ActionKind.ANSWER_GIVEN)
UGC_KINDS = (ContentKind.THEME_REPLY, ContentKind.REVIEW, ContentKind.IDEA, ContentKind.COMMENT,
             ContentKind.QUESTION, ContentKind.ANSWER)


def day_start(day: date) -> datetime:
    """Midnight of a Japan-time day, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=JST)


def jst_day(moment: datetime) -> date:
    return moment.astimezone(JST).date()


def cohort_of(col: Any = Member.cohort) -> Any:
    # A literal, not a bound parameter: PostgreSQL must see the same expression in SELECT and GROUP BY.
    return func.coalesce(col, literal_column(f"'{NO_COHORT}'"))


def in_community(at: datetime) -> Any:
    return and_(Member.joined_at < at, or_(Member.left_at.is_(None), Member.left_at >= at))


def _figures(session: Session, stmt: Select[Any]) -> Figures:
    return {str(cohort): int(n or 0) for cohort, n in session.execute(stmt)}


def _between(col: Any, start: datetime, end: datetime) -> Any:
    return and_(col >= start, col < end)


def _count_members(session: Session, *where: Any, cohort: str | None = None) -> Figures:
    stmt = select(cohort_of(), func.count()).select_from(Member).where(*where)
    if cohort is not None:
        stmt = stmt.where(cohort_of() == cohort)
    return _figures(session, stmt.group_by(cohort_of()))


# Members -----------------------------------------------------------------------------------------------

def members(session: Session, at: datetime) -> Figures:
    return _count_members(session, in_community(at))


def joined(session: Session, start: datetime, end: datetime) -> Figures:
    return _count_members(session, _between(Member.joined_at, start, end))


def left(session: Session, start: datetime, end: datetime) -> Figures:
    return _count_members(session, Member.joined_at.is_not(None), _between(Member.left_at, start, end))


def followers(session: Session, at: datetime) -> Figures:
    """Following the account at `at` (members and followers who never joined)."""
    return _count_members(session, Member.followed_at < at,
                          or_(Member.unfollowed_at.is_(None), Member.unfollowed_at >= at,
                              Member.unfollowed_at < Member.followed_at))


def unfollows(session: Session, start: datetime, end: datetime) -> Figures:
    """Blocks (unfollows) in the window: the latest unfollow of each LINE user."""
    return _count_members(session, _between(Member.unfollowed_at, start, end))


# Activity ----------------------------------------------------------------------------------------------

def active_ids(start: datetime, end: datetime) -> Any:
    """The ids of members active in the window (see the module's definition), as one UNION."""
    actions = select(MemberAction.member_id).where(MemberAction.kind.in_(ACTIVE_KINDS),
                                                   _between(MemberAction.occurred_at, start, end))
    posts = select(ContentItem.member_id).where(ContentItem.member_id.is_not(None),
                                                _between(ContentItem.created_at, start, end))
    chats = (select(Member.id).join(WebhookEvent, WebhookEvent.user_id == Member.line_user_id)
             .where(WebhookEvent.event_type == "message", WebhookEvent.source_type == "user",
                    _between(WebhookEvent.received_at, start, end)))
    return union(actions, posts, chats)


def inactive(start: datetime, end: datetime) -> Any:
    """The condition "the member was not active in the window", as NOT EXISTS per source: PostgreSQL runs
    them as anti-joins (a NOT IN over a large union would be re-scanned per member)."""
    return and_(
        ~select(MemberAction.id).where(MemberAction.member_id == Member.id, MemberAction.kind.in_(ACTIVE_KINDS),
                                       _between(MemberAction.occurred_at, start, end)).exists(),
        ~select(ContentItem.id).where(ContentItem.member_id == Member.id,
                                      _between(ContentItem.created_at, start, end)).exists(),
        ~select(WebhookEvent.id).where(WebhookEvent.user_id == Member.line_user_id,
                                       WebhookEvent.event_type == "message", WebhookEvent.source_type == "user",
                                       _between(WebhookEvent.received_at, start, end)).exists(),
    )


def active(session: Session, start: datetime, end: datetime) -> Figures:
    """Members in the community at `end` who were active in the window."""
    return _count_members(session, in_community(end), Member.id.in_(active_ids(start, end)))


def pushed_ids(session: Session, start: datetime, end: datetime) -> Any:
    """Members sent a push in the window: push-engine batches LINE accepted and pushed outbox messages."""
    if dialect_name(session) == "postgresql":
        batches = text("SELECT unnest(member_ids) AS member_id FROM push_batches "
                       "WHERE status = 'sent' AND finished_at >= :p_start AND finished_at < :p_end")
    else:
        batches = text("SELECT CAST(j.value AS INTEGER) AS member_id "
                       "FROM push_batches, json_each(push_batches.member_ids) j "
                       "WHERE push_batches.status = 'sent' AND push_batches.finished_at >= :p_start "
                       "AND push_batches.finished_at < :p_end")
    batches = batches.bindparams(bindparam("p_start", start, type_=UTCDateTime()),
                                 bindparam("p_end", end, type_=UTCDateTime())).columns(member_id=Member.id.type)
    outbox = select(OutboundMessage.member_id).where(
        OutboundMessage.member_id.is_not(None), OutboundMessage.status == OutboundStatus.SENT,
        OutboundMessage.sent_via == "push", _between(OutboundMessage.sent_at, start, end))
    return union(select(batches.subquery().c.member_id), outbox)


def pushed(session: Session, start: datetime, end: datetime) -> Figures:
    return _count_members(session, in_community(end), Member.id.in_(pushed_ids(session, start, end)))


def rom(session: Session, start: datetime, end: datetime) -> Figures:
    """Sent pushes, in the community, and not active in the window (read-only members)."""
    return _count_members(session, in_community(end), Member.id.in_(pushed_ids(session, start, end)),
                          inactive(start, end))


# UGC and co-creation -----------------------------------------------------------------------------------

def ugc(session: Session, start: datetime, end: datetime) -> dict[str, Figures]:
    """Published member posts made in the window, per kind ({kind: {cohort: n}})."""
    stmt = (select(ContentItem.kind, cohort_of(), func.count()).select_from(ContentItem)
            .outerjoin(Member, Member.id == ContentItem.member_id)
            .where(ContentItem.kind.in_(UGC_KINDS), ContentItem.state == ContentState.PUBLISHED,
                   _between(ContentItem.created_at, start, end))
            .group_by(ContentItem.kind, cohort_of()))
    out: dict[str, Figures] = {kind: {} for kind in UGC_KINDS}
    for kind, cohort, n in session.execute(stmt):
        out[kind][cohort] = int(n)
    return out


def acting_members(session: Session, kinds: Iterable[str], start: datetime, end: datetime) -> Figures:
    """Distinct members who did one of the action kinds in the window (withdrawn actions left out)."""
    ids = select(MemberAction.member_id).where(MemberAction.kind.in_(tuple(kinds)), MemberAction.withdrawn_at.is_(None),
                                               _between(MemberAction.occurred_at, start, end))
    return _count_members(session, Member.id.in_(ids))


def survey_responses(session: Session, start: datetime, end: datetime) -> Figures:
    return _figures(session, select(cohort_of(), func.count()).select_from(SurveyResponse)
                    .join(Member, Member.id == SurveyResponse.member_id)
                    .where(_between(SurveyResponse.submitted_at, start, end)).group_by(cohort_of()))


def responses_by_survey(session: Session, start: datetime, end: datetime) -> dict[int, Figures]:
    """Survey responses submitted in the window, per survey ({survey id: {cohort: n}})."""
    stmt = (select(SurveyResponse.survey_id, cohort_of(), func.count()).select_from(SurveyResponse)
            .join(Member, Member.id == SurveyResponse.member_id)
            .where(_between(SurveyResponse.submitted_at, start, end)).group_by(SurveyResponse.survey_id, cohort_of()))
    out: dict[int, Figures] = {}
    for survey_id, cohort, n in session.execute(stmt):
        out.setdefault(int(survey_id), {})[cohort] = int(n)
    return out


def nps_split(session: Session, start: datetime, end: datetime) -> dict[str, Figures]:
    """Answers to NPS questions (0-10) in responses submitted in the window: promoters (9-10), passives
    (7-8) and detractors (0-6), per cohort."""
    bucket = case((SurveyAnswer.number >= 9, "promoters"), (SurveyAnswer.number >= 7, "passives"),
                  else_="detractors")
    stmt = (select(bucket, cohort_of(), func.count()).select_from(SurveyAnswer)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .join(Member, Member.id == SurveyResponse.member_id)
            .where(SurveyQuestion.kind == QuestionKind.NPS, SurveyAnswer.number.is_not(None),
                   _between(SurveyResponse.submitted_at, start, end))
            .group_by(bucket, cohort_of()))
    out: dict[str, Figures] = {"promoters": {}, "passives": {}, "detractors": {}}
    for name, cohort, n in session.execute(stmt):
        out[name][cohort] = int(n)
    return out


def nps_score(promoters: int, passives: int, detractors: int) -> int | None:
    total = promoters + passives + detractors
    return None if total == 0 else round((promoters - detractors) * 100 / total)


# Referrals ---------------------------------------------------------------------------------------------

def invites_sent(session: Session, start: datetime, end: datetime) -> Figures:
    return _figures(session, select(cohort_of(), func.count()).select_from(ReferralShare)
                    .join(Member, Member.id == ReferralShare.member_id)
                    .where(_between(ReferralShare.shared_at, start, end)).group_by(cohort_of()))


def referral_joins(session: Session, start: datetime, end: datetime) -> Figures:
    """Joins attributed to a referrer in the window, by the newcomer's cohort."""
    return _figures(session, select(cohort_of(), func.count()).select_from(Referral)
                    .join(Member, Member.id == Referral.referred_member_id)
                    .where(_between(Referral.attributed_at, start, end)).group_by(cohort_of()))


# Retention ---------------------------------------------------------------------------------------------

def month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def retention(session: Session, day: date, end: datetime, months: int = 12) -> dict[int, Figures]:
    """Of the members who joined k months before `day`'s month (k = 1..months), how many were active in
    `day`'s month up to `end`: {k: {cohort: n}}. The join months' sizes come from `joiners`."""
    this_month = month_start(day)
    starts = [month_start(day, k) for k in range(months, 0, -1)]
    bounds = [(day_start(s), day_start(month_start(s, -1))) for s in starts]
    which = case(*[(_between(Member.joined_at, a, b), months - i) for i, (a, b) in enumerate(bounds)])
    stmt = (select(which, cohort_of(), func.count()).select_from(Member)
            .where(_between(Member.joined_at, bounds[0][0], day_start(this_month)),
                   Member.id.in_(active_ids(day_start(this_month), end)))
            .group_by(which, cohort_of()))
    out: dict[int, Figures] = {k: {} for k in range(1, months + 1)}
    for k, cohort, n in session.execute(stmt):
        out[int(k)][cohort] = int(n)
    return out


def joiners(session: Session, day: date, end: datetime, months: int = 12) -> dict[int, Figures]:
    """Members whose (latest) join fell in `day`'s month (k = 0, up to `end`) and in each of the `months`
    months before it (k = 1..months): {k: {cohort: n}}, one statement."""
    starts = [month_start(day, k) for k in range(months, -1, -1)]
    bounds = [(day_start(s), day_start(month_start(s, -1)) if k else end)
              for s, k in zip(starts, range(months, -1, -1), strict=True)]
    which = case(*[(_between(Member.joined_at, a, b), months - i) for i, (a, b) in enumerate(bounds)])
    stmt = (select(which, cohort_of(), func.count()).select_from(Member)
            .where(_between(Member.joined_at, bounds[0][0], end)).group_by(which, cohort_of()))
    out: dict[int, Figures] = {k: {} for k in range(months + 1)}
    for k, cohort, n in session.execute(stmt):
        out[int(k)][cohort] = int(n)
    return out


def window_days(end_day: date, days: int) -> tuple[datetime, datetime]:
    """The `days` Japan-time days ending with `end_day` (inclusive), as [start, end)."""
    return day_start(end_day - timedelta(days=days - 1)), day_start(end_day + timedelta(days=1))
