"""Daily KPI snapshots: every metric of one Japan-time day, one statement per metric, written as rows of
`kpi_daily` (counts per cohort, never member ids). Writing a day replaces its rows, so running a day twice
(the periodic job, a backfill) leaves the same table. Today's figures are computed live, never stored.
Functions only flush; the caller commits."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from linecomm.actions.service import ActionKind
from linecomm.db import dialect_name, utcnow
from linecomm.kpis import cost, metrics
from linecomm.kpis.models import ALL_COHORTS, KpiDaily

RETENTION_MONTHS = 12
# The day's metrics (retention rows are keyed by their join month instead, see `_retention_rows`).
DAILY_METRICS = (
    "members", "joined", "left", "followers", "unfollows", "active_7d", "active_30d", "pushed_30d", "rom_30d",
    *(f"ugc.{kind}" for kind in metrics.UGC_KINDS), "idea_submitters", "idea_supporters", "survey_responses",
    "nps.promoters", "nps.passives", "nps.detractors", "referral_invites", "referral_joins",
    "billed_push", "billed_multicast", "replies_free",  # messages sent (linecomm.kpis.cost)
)

SURVEY_PREFIX = "survey:"  # + a survey's id: its responses that day (only surveys that had some)
# The marker of a day stored while it was still going on (today's figures, refreshed by the KPI pass): such a
# day is not a snapshot yet, and the pass stores it properly once it has ended.
PROVISIONAL = "provisional"
Rows = dict[tuple[str, str], int]  # (metric, cohort) -> value


def _put(rows: Rows, metric: str, figures: metrics.Figures) -> None:
    rows[(metric, ALL_COHORTS)] = sum(figures.values())
    for cohort, value in figures.items():
        if value:
            rows[(metric, cohort)] = value


def figures_of_day(session: Session, day: date, now: datetime | None = None) -> Rows:
    """Every daily metric of `day`, as of its end (or `now`, for today's live figures)."""
    start, end = metrics.window_days(day, 1)
    if now is not None and now < end:
        end = now
    s7, s30 = end - timedelta(days=7), end - timedelta(days=30)
    if now is None:  # a whole day: the 7 and 30 Japan-time days ending with it
        s7, s30 = metrics.window_days(day, 7)[0], metrics.window_days(day, 30)[0]
    rows: Rows = {}
    _put(rows, "members", metrics.members(session, end))
    _put(rows, "joined", metrics.joined(session, start, end))
    _put(rows, "left", metrics.left(session, start, end))
    _put(rows, "followers", metrics.followers(session, end))
    _put(rows, "unfollows", metrics.unfollows(session, start, end))
    _put(rows, "active_7d", metrics.active(session, s7, end))
    _put(rows, "active_30d", metrics.active(session, s30, end))
    _put(rows, "pushed_30d", metrics.pushed(session, s30, end))
    _put(rows, "rom_30d", metrics.rom(session, s30, end))
    for kind, figures in metrics.ugc(session, start, end).items():
        _put(rows, f"ugc.{kind}", figures)
    _put(rows, "idea_submitters", metrics.acting_members(session, [ActionKind.IDEA_SUBMITTED], start, end))
    _put(rows, "idea_supporters", metrics.acting_members(session, [ActionKind.IDEA_SUPPORTED], start, end))
    _put(rows, "survey_responses", metrics.survey_responses(session, start, end))
    for survey_id, figures in metrics.responses_by_survey(session, start, end).items():
        _put(rows, f"{SURVEY_PREFIX}{survey_id}", figures)
    for name, figures in metrics.nps_split(session, start, end).items():
        _put(rows, f"nps.{name}", figures)
    _put(rows, "referral_invites", metrics.invites_sent(session, start, end))
    _put(rows, "referral_joins", metrics.referral_joins(session, start, end))
    rows.update(cost.sends_by_cohort(session, start, end))
    return rows


def retention_figures(session: Session, day: date, end: datetime) -> dict[tuple[date, str, str], int]:
    """Retention rows as of `end` in `day`'s month: (join month's 1st, metric, cohort) -> value, with
    metric 'joiners' for `day`'s month and the RETENTION_MONTHS before it, and 'retained.k' for the k-th
    month after each join month."""
    out: dict[tuple[date, str, str], int] = {}
    for k, figures in metrics.joiners(session, day, end, RETENTION_MONTHS).items():
        month = metrics.month_start(day, k)
        out[(month, "joiners", ALL_COHORTS)] = sum(figures.values())
        for cohort, n in figures.items():
            out[(month, "joiners", cohort)] = n
    for k, figures in metrics.retention(session, day, end, RETENTION_MONTHS).items():
        month = metrics.month_start(day, k)
        out[(month, f"retained.{k}", ALL_COHORTS)] = sum(figures.values())
        for cohort, n in figures.items():
            out[(month, f"retained.{k}", cohort)] = n
    return out


def _upsert(session: Session, values: list[dict[str, object]]) -> None:
    if not values:
        return
    insert = postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    stmt = insert(KpiDaily.__table__)
    stmt = stmt.on_conflict_do_update(index_elements=["day", "metric", "cohort"],
                                      set_={"value": stmt.excluded.value, "computed_at": stmt.excluded.computed_at})
    session.execute(stmt, values)


def snapshot_day(session: Session, day: date, now: datetime | None = None) -> int:
    """Compute and store `day` (a finished Japan-time day), replacing what was stored for it, and the
    retention rows of its month as of its end. Returns the number of rows written."""
    now = now or utcnow()
    end = metrics.window_days(day, 1)[1]
    rows = figures_of_day(session, day)
    kept = retention_figures(session, day, end)
    this_month = metrics.month_start(day)
    _clear_day(session, day)
    session.execute(delete(KpiDaily).where(or_(
        and_(KpiDaily.day >= metrics.month_start(day, RETENTION_MONTHS), KpiDaily.day <= this_month,
             KpiDaily.metric == "joiners"),
        *(and_(KpiDaily.day == metrics.month_start(day, k), KpiDaily.metric == f"retained.{k}")
          for k in range(1, RETENTION_MONTHS + 1)))))
    values = [{"day": day, "metric": m, "cohort": c, "value": v, "computed_at": now} for (m, c), v in rows.items()]
    values += [{"day": d, "metric": m, "cohort": c, "value": v, "computed_at": now} for (d, m, c), v in kept.items()]
    _upsert(session, values)
    session.flush()
    return len(values)


def _clear_day(session: Session, day: date) -> None:
    session.execute(delete(KpiDaily).where(KpiDaily.day == day, or_(
        KpiDaily.metric.in_((*DAILY_METRICS, PROVISIONAL)), KpiDaily.metric.like(f"{SURVEY_PREFIX}%"))))


def store_today(session: Session, day: date, now: datetime) -> int:
    """Store the figures of `day` so far (today), marked provisional, replacing the previous ones: the
    dashboard reads them instead of computing at every view. Returns the number of rows written."""
    rows = figures_of_day(session, day, now)
    _clear_day(session, day)
    values = [{"day": day, "metric": m, "cohort": c, "value": v, "computed_at": now} for (m, c), v in rows.items()]
    values.append({"day": day, "metric": PROVISIONAL, "cohort": ALL_COHORTS, "value": 1, "computed_at": now})
    _upsert(session, values)
    session.flush()
    return len(values)


def provisional_at(session: Session, day: date) -> datetime | None:
    """When the provisional figures of `day` were computed (None: there are none)."""
    return session.scalar(select(KpiDaily.computed_at).where(
        KpiDaily.day == day, KpiDaily.metric == PROVISIONAL, KpiDaily.cohort == ALL_COHORTS))


def stored_rows(session: Session, day: date) -> Rows:
    """The stored figures of `day` (every cohort)."""
    return {(m, c): int(v) for m, c, v in session.execute(
        select(KpiDaily.metric, KpiDaily.cohort, KpiDaily.value).where(
            KpiDaily.day == day, or_(KpiDaily.metric.in_(DAILY_METRICS), KpiDaily.metric.like(f"{SURVEY_PREFIX}%"))))}


def stored_days(session: Session, first: date, last: date) -> set[date]:
    """The days from `first` to `last` that have a snapshot (a day stored while it was going on does not
    count: it is stored again once it has ended)."""
    provisional = select(KpiDaily.day).where(KpiDaily.metric == PROVISIONAL, KpiDaily.day >= first,
                                             KpiDaily.day <= last)
    return set(session.scalars(select(KpiDaily.day).where(
        KpiDaily.metric == "members", KpiDaily.cohort == ALL_COHORTS, KpiDaily.day >= first, KpiDaily.day <= last,
        KpiDaily.day.not_in(provisional))))


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
