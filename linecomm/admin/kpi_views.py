"""The KPI dashboard (marketers and owners, Permission.KPIS): members, activity, UGC, co-creation, NPS,
referrals and message cost, for a date range and a cohort, each chart with its table and every table as a
CSV download. Read-only: the page reads the daily snapshots and today's figures as the KPI pass last stored
them (computed here only when the pass has not run for a while; linecomm.kpis)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, current_app, render_template, request, url_for

from linecomm.admin.blueprint import bp, reader
from linecomm.admin.security import requires
from linecomm.db import utcnow
from linecomm.kpis import cost, dashboard, export, series, snapshot
from linecomm.kpis.metrics import jst_day
from linecomm.kpis.models import NO_COHORT
from linecomm.members import directory
from linecomm.staff.roles import Permission
from linecomm.web_runtime import get_runtime

CACHE_KEY = "linecomm.kpis.live_cache"
COST_TABLES = ("cost_monthly", "cost_daily")


def _cache() -> series.LiveCache:
    return current_app.extensions.setdefault(CACHE_KEY, series.LiveCache())


def _cohorts(session: Any) -> list[str]:
    return [*directory.cohorts(session), NO_COHORT]


def _params(rng: series.Range) -> dict[str, str]:
    return {"from": rng.start.isoformat(), "to": rng.end.isoformat(), "cohort": rng.cohort}


@bp.get("/kpis")
@requires(Permission.KPIS)
def kpis() -> Any:
    session = reader()
    now = utcnow()
    today = jst_day(now)
    cohorts = _cohorts(session)
    try:
        rng = series.parse_range(request.args.get("from"), request.args.get("to"), request.args.get("cohort"),
                                 today, cohorts)
    except series.RangeError as exc:
        default = series.Range(today - timedelta(days=29), today)
        return render_template("admin/kpis.html", error=str(exc), rng=default, raw=request.args,
                               cohorts=cohorts, sections=[], cost=None, today=today,
                               cohort_label=dashboard.cohort_label), 400
    sections = dashboard.build(session, rng, today, now, cache=_cache())
    section = cost.cost_section(session, get_runtime().line, rng.start, rng.end, rng.cohort)
    as_of = snapshot.provisional_at(session, today) if rng.end >= today else None
    params = _params(rng)
    return render_template(
        "admin/kpis.html", error=None, rng=rng, raw=params, cohorts=cohorts, sections=sections, cost=section,
        today=today, cohort_label=dashboard.cohort_label, params=params, figures_as_of=as_of,
        cost_csv_url=lambda table: url_for("admin.kpis_csv", key=table, **params))


@bp.get("/kpis/<key>.csv")
@requires(Permission.KPIS)
def kpis_csv(key: str) -> Any:
    session = reader()
    now = utcnow()
    today = jst_day(now)
    try:
        rng = series.parse_range(request.args.get("from"), request.args.get("to"), request.args.get("cohort"),
                                 today, _cohorts(session))
    except series.RangeError as exc:
        return Response(str(exc), status=400, mimetype="text/plain; charset=utf-8")
    if key in COST_TABLES:
        section = cost.cost_section(session, None, rng.start, rng.end, rng.cohort)
        rows_of = cost.cost_csv_rows if key == "cost_monthly" else cost.cost_daily_csv_rows
        headers, rows = rows_of(section)
        table = dashboard.Table(key, key, list(headers), [list(r) for r in rows])
    else:
        section_key = key.split("-", 1)[0]
        if section_key not in dashboard.SECTIONS:
            return Response("その表は見つかりません。", status=404, mimetype="text/plain; charset=utf-8")
        found = dashboard.find_table(dashboard.build(session, rng, today, now, only=section_key, cache=_cache()), key)
        if found is None:
            return Response("その表は見つかりません。", status=404, mimetype="text/plain; charset=utf-8")
        table = found
    name = export.filename(table, rng.start.isoformat(), rng.end.isoformat())
    return Response(export.table_csv(table), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
