"""KPI snapshots: one row per (Japan-time day, metric, cohort) with the day's figure. Rows hold counts only,
never member ids, so a member erased under the APPI later leaves past days as they were counted.
Cohort '' is the whole community; '-' the members without a cohort."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow

ALL_COHORTS = ""
NO_COHORT = "-"


class KpiDaily(Base):
    __tablename__ = "kpi_daily"
    # The day's idempotency key: re-running a day replaces its rows (linecomm.kpis.snapshot).
    __table_args__ = (UniqueConstraint("day", "metric", "cohort"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # Japan-time day; for retention rows, the join month's 1st
    metric: Mapped[str] = mapped_column(String(40))
    cohort: Mapped[str] = mapped_column(String(100), default=ALL_COHORTS)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
