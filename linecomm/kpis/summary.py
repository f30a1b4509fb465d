"""A week's headline figures (the weekly staff summary and the dashboard's top line), computed live from
the source tables with the metrics' set-based statements: a handful of statements whatever the size."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from linecomm.kpis import metrics
from linecomm.kpis.models import ALL_COHORTS


@dataclass(frozen=True)
class WeekFigures:
    """The 7 Japan-time days ending with `end_day` (inclusive)."""

    start_day: date
    end_day: date
    members: int  # in the community at the end of end_day
    joined: int
    left: int
    active_7d: int  # members (at the end) active in the 7 days
    active_rate: float  # active_7d / members, 0..1 (0 when there are no members)
    ugc_posts: int  # published posts of every kind (theme answers, reviews, ideas, comments, Q&A)
    nps: int | None  # -100..100 from NPS answers submitted in the week; None when there were none
    referrals_joined: int


def _pick(figures: metrics.Figures, cohort: str) -> int:
    return sum(figures.values()) if cohort == ALL_COHORTS else figures.get(cohort, 0)


def week_figures(session: Session, end_day: date, cohort: str = ALL_COHORTS) -> WeekFigures:
    start, end = metrics.window_days(end_day, 7)
    members = _pick(metrics.members(session, end), cohort)
    active = _pick(metrics.active(session, start, end), cohort)
    split = metrics.nps_split(session, start, end)
    return WeekFigures(
        start_day=metrics.jst_day(start),
        end_day=end_day,
        members=members,
        joined=_pick(metrics.joined(session, start, end), cohort),
        left=_pick(metrics.left(session, start, end), cohort),
        active_7d=active,
        active_rate=(active / members) if members else 0.0,
        ugc_posts=sum(_pick(f, cohort) for f in metrics.ugc(session, start, end).values()),
        nps=metrics.nps_score(*(_pick(split[k], cohort) for k in ("promoters", "passives", "detractors"))),
        referrals_joined=_pick(metrics.referral_joins(session, start, end), cohort),
    )
