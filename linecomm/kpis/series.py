"""The dashboard's figures by day: stored snapshots for finished days and today's figures computed live
(kept for five minutes per process: at a million members they take seconds to compute). A day with no snapshot reads as
None ("未集計"), never as 0."""
from __future__ import annotations

import re
import threading
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.kpis import metrics, snapshot
from linecomm.kpis.models import ALL_COHORTS, KpiDaily

MAX_DAYS = 731  # two years on one page
TODAY_STALE = timedelta(minutes=30)  # older stored figures of today are computed afresh (the pass stopped)
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class RangeError(ValueError):
    """A date range or cohort the dashboard cannot show; the message is for staff, in Japanese."""


@dataclass(frozen=True)
class Range:
    start: date
    end: date  # inclusive
    cohort: str = ALL_COHORTS

    @property
    def days(self) -> list[date]:
        return snapshot.days_between(self.start, self.end)


def parse_range(raw_from: str | None, raw_to: str | None, raw_cohort: str | None, today: date,
                cohorts: list[str]) -> Range:
    """Validate the page's parameters (dates as YYYY-MM-DD, Japan time). Defaults: the 30 days to today,
    the whole community. Raises RangeError with the reason."""
    def day(raw: str | None, default: date, what: str) -> date:
        raw = (raw or "").strip()
        if not raw:
            return default
        try:
            if not ISO_DAY.fullmatch(raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            raise RangeError(f"{what}の日付は「2026-04-01」の形で入力してください。") from None

    end = day(raw_to, today, "終了日")
    start = day(raw_from, end - timedelta(days=29), "開始日")
    if end > today:
        raise RangeError("終了日に未来の日付は指定できません。")
    if start > end:
        raise RangeError("開始日は終了日より前の日付にしてください。")
    if (end - start).days >= MAX_DAYS:
        raise RangeError(f"期間は{MAX_DAYS}日以内で指定してください。")
    cohort = (raw_cohort or "").strip()
    if cohort and cohort not in cohorts:
        raise RangeError("選んだ期が見つかりません。一覧から選び直してください。")
    return Range(start, end, cohort)


@dataclass
class LiveCache:
    """Today's live figures (every cohort) per (database, day), for `ttl` seconds."""

    ttl: float = 300.0
    _rows: dict[tuple[str, date], tuple[float, snapshot.Rows]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, session: Session, day: date, now: datetime) -> snapshot.Rows:
        key = (str(session.get_bind().url), day)
        with self._lock:
            hit = self._rows.get(key)
        if hit is not None and clock.monotonic() - hit[0] < self.ttl:
            return hit[1]
        rows = snapshot.figures_of_day(session, day, now)
        with self._lock:
            self._rows[key] = (clock.monotonic(), rows)
        return rows


@dataclass(frozen=True)
class Figures:
    """Every daily metric over the range for one cohort: figures[metric][i] is day i's value or None."""

    days: list[date]
    by_metric: dict[str, list[int | None]]
    missing_days: int  # finished days in the range without a snapshot
    live_today: bool
    survey_responses: dict[int, int]  # responses per survey id over the range (the days computed)
    today_as_of: datetime | None = None  # when today's figures were computed

    def get(self, metric: str) -> list[int | None]:
        return self.by_metric.get(metric, [None] * len(self.days))


def load(session: Session, rng: Range, today: date, now: datetime, cache: LiveCache | None = None) -> Figures:
    """One query for the stored days, plus today's live figures when the range reaches today."""
    days = rng.days
    index = {d: i for i, d in enumerate(days)}
    by_metric: dict[str, list[int | None]] = {m: [None] * len(days) for m in snapshot.DAILY_METRICS}
    stored_days = {row.day for row in session.execute(
        select(KpiDaily.day).where(KpiDaily.day >= rng.start, KpiDaily.day <= rng.end, KpiDaily.day < today,
                                   KpiDaily.metric == "members", KpiDaily.cohort == ALL_COHORTS))}
    for d in stored_days:  # a stored day: metrics without a row for this cohort are 0
        for values in by_metric.values():
            values[index[d]] = 0
    # Up to a few hundred rows a day over the range: read through the connection (plain tuples, no ORM).
    for day, metric, value in session.connection().execute(
            select(KpiDaily.day, KpiDaily.metric, KpiDaily.value)
            .where(KpiDaily.day >= rng.start, KpiDaily.day <= rng.end, KpiDaily.day < today,
                   KpiDaily.cohort == rng.cohort, KpiDaily.metric.in_(snapshot.DAILY_METRICS))):
        by_metric[metric][index[day]] = int(value)
    per_survey: dict[int, int] = {}
    for metric, total in session.execute(
            select(KpiDaily.metric, func.sum(KpiDaily.value))
            .where(KpiDaily.day >= rng.start, KpiDaily.day <= rng.end, KpiDaily.day < today,
                   KpiDaily.cohort == rng.cohort, KpiDaily.metric.like(f"{snapshot.SURVEY_PREFIX}%"))
            .group_by(KpiDaily.metric)):
        per_survey[int(metric[len(snapshot.SURVEY_PREFIX):])] = int(total or 0)
    live = rng.end >= today
    as_of = None
    if live:
        # Today's figures as the KPI pass stored them (refreshed every few minutes); computed here only when
        # the pass has not run for a while (a stopped worker, a new install).
        as_of = snapshot.provisional_at(session, today)
        if as_of is not None and as_of > now - TODAY_STALE:
            rows = snapshot.stored_rows(session, today)
        else:
            as_of = now
            rows = (cache.get(session, today, now) if cache is not None
                    else snapshot.figures_of_day(session, today, now))
        i = index[today]
        for metric in by_metric:
            by_metric[metric][i] = rows.get((metric, rng.cohort), 0)
        for (metric, cohort), value in rows.items():
            if cohort == rng.cohort and metric.startswith(snapshot.SURVEY_PREFIX):
                survey_id = int(metric[len(snapshot.SURVEY_PREFIX):])
                per_survey[survey_id] = per_survey.get(survey_id, 0) + value
    missing = sum(1 for d in days if d < today and d not in stored_days)
    return Figures(days, by_metric, missing, live, per_survey, as_of)


def ratio(part: list[int | None], whole: list[int | None]) -> list[float | None]:
    """part / whole in percent, by day (None where either is missing or whole is 0)."""
    return [None if p is None or w is None or w == 0 else 100.0 * p / w for p, w in zip(part, whole, strict=True)]


def weeks(days: list[date]) -> list[tuple[date, list[int]]]:
    """The range's weeks (Monday first) with the indexes of their days in the range."""
    out: dict[date, list[int]] = {}
    for i, d in enumerate(days):
        out.setdefault(d - timedelta(days=d.weekday()), []).append(i)
    return list(out.items())


def retention_rows(session: Session, rng: Range, months: int = snapshot.RETENTION_MONTHS
                   ) -> list[tuple[date, int, list[int | None]]]:
    """(join month, joiners, [retained after 1..months months or None]) for the join months up to the
    range's end month, newest first."""
    first = metrics.month_start(rng.end, months)
    stored: dict[date, set[str]] = {}  # what the whole community's rows say was computed
    rows: dict[date, dict[str, int]] = {}
    for day, metric, cohort, value in session.execute(
            select(KpiDaily.day, KpiDaily.metric, KpiDaily.cohort, KpiDaily.value)
            .where(KpiDaily.day >= first, KpiDaily.day <= rng.end,
                   KpiDaily.cohort.in_({ALL_COHORTS, rng.cohort}),
                   (KpiDaily.metric == "joiners") | KpiDaily.metric.like("retained.%"))):
        if cohort == ALL_COHORTS:
            stored.setdefault(day, set()).add(metric)
        if cohort == rng.cohort:
            rows.setdefault(day, {})[metric] = int(value)
    out = []
    for month in sorted(stored, reverse=True):
        got, known = rows.get(month, {}), stored[month]
        retained = [got.get(f"retained.{k}", 0) if f"retained.{k}" in known else None for k in range(1, months + 1)]
        out.append((month, got.get("joiners", 0), retained))
    return out
