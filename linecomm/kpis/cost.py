"""What the community costs in LINE messages: billed messages per Japan-time day and month, counted from our
own records, set against the plan's monthly quota as LINE reports it.

How LINE counts (developers.line.biz, Messaging API pricing; the consumption endpoint "the number of sent
messages in the current month"): one send of up to five message objects counts as one message *per
recipient*; push, multicast, narrowcast and broadcast are billed (test sends too), replies are free.
Our records of what LINE accepted:
- `outbound_messages` (the outbox): one recipient each; `sent_via` says reply (free) or push (billed);
- `push_batches` (deliveries): one multicast each; `sent_count` is how many recipients LINE accepted.
Failed, skipped and pending sends are not counted. A 409 for a repeated retry key was one send, counted once.

Read-only: a handful of aggregate statements, whatever the number of members or sends."""
from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, case, func, literal, literal_column, select, true, union_all
from sqlalchemy.orm import Session

from linecomm.kpis import charts, metrics
from linecomm.kpis.models import ALL_COHORTS, KpiDaily
from linecomm.line.client import LineError, Quota
from linecomm.members.models import Member
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.pushes.models import BatchStatus, DeliveryBatch
from linecomm.timezones import JST

log = logging.getLogger(__name__)
LINE_TIMEOUT = 3.0  # seconds the page waits for LINE's quota and consumption
MAX_DAYS = 400  # the longest range the page shows day by day
QUOTA_UNAVAILABLE = ("LINEから今月のメッセージ通数を取得できませんでした。"
                     "下の数値は、当システムの送信記録から集計したものです。")
QUOTA_NOT_ASKED = "LINEの通数は取得していません（LINEの接続が設定されていません）。"
ACTIVE_DEFINITION = ("アクティブメンバー：その月の最後の日（今月は今日）までの30日間に、チャットでの発言・投稿・回答・"
                     "投票などが1回以上あったメンバー（ダッシュボードの「30日アクティブ」の値。集計のない月は0と表示）")
BILLED_DEFINITION = ("課金対象の通数：プッシュ・マルチキャスト配信でLINEが受け付けた宛先の数（1回の送信で吹き出しが"
                     "複数あっても1通）。応答メッセージ（返信）は無料のため含みません。")


@dataclass(frozen=True)
class CostDay:
    day: date
    billed: int  # billed messages (recipients of accepted pushes and multicasts)
    replies: int  # free replies


@dataclass(frozen=True)
class CostMonth:
    month: str  # "2026-12" (Japan time)
    billed_push: int  # one-to-one pushes from the outbox
    billed_multicast: int  # recipients of delivery batches (posts, steps, announcements, test sends)
    replies: int
    active_members: int

    @property
    def billed(self) -> int:
        return self.billed_push + self.billed_multicast

    @property
    def billed_per_active(self) -> float | None:
        return None if not self.active_members else self.billed / self.active_members


@dataclass(frozen=True)
class QuotaInfo:
    month: str  # the current month (Japan time)
    ours: int  # billed messages this month by our own records
    limit: int | None = None  # LINE's target limit; None with `limited` False: no limit
    limited: bool = False
    line_used: int | None = None  # LINE's consumption; None when not fetched
    error: str | None = None  # a Japanese note when LINE's figures are missing

    @property
    def fetched(self) -> bool:
        return self.line_used is not None

    @property
    def usage_percent(self) -> float | None:
        used = self.line_used if self.line_used is not None else self.ours
        if not self.limited or not self.limit:
            return None
        return 100.0 * used / self.limit

    @property
    def remaining(self) -> int | None:
        if not self.limited or self.limit is None:
            return None
        return max(0, self.limit - (self.line_used if self.line_used is not None else self.ours))


@dataclass(frozen=True)
class CostSection:
    start: date
    end: date
    cohort: str | None
    months: list[CostMonth]
    days: list[CostDay]
    quota: QuotaInfo
    notes: list[str] = field(default_factory=lambda: [BILLED_DEFINITION, ACTIVE_DEFINITION])

    @property
    def total_billed(self) -> int:
        return sum(m.billed for m in self.months)

    @property
    def total_replies(self) -> int:
        return sum(m.replies for m in self.months)

    def chart(self) -> Markup:
        """The day-by-day chart (SVG, labels escaped): billed messages and free replies, stacked."""
        return charts.bar_chart("kpi-cost-daily", "日別のメッセージ通数（課金対象と無料の応答）",
                                [d.day for d in self.days],
                                [("課金対象（プッシュ・一斉配信）", [d.billed for d in self.days]),
                                 ("応答メッセージ（無料）", [d.replies for d in self.days])], unit="通")


def cohort_filter(cohort: str | None) -> str | None:
    """The dashboard's cohort key (linecomm.kpis.models: '' is everyone, '-' the members without a cohort,
    anything else a `members.cohort` value); None: no filter."""
    return None if cohort is None or cohort == ALL_COHORTS else cohort


SEND_METRICS = ("billed_push", "billed_multicast", "replies_free")  # kpi_daily rows (linecomm.kpis.snapshot)
LIVE_DAYS_MAX = 7  # days without a snapshot counted from the sends themselves, at most


def sends_by_cohort(session: Session, since: datetime, until: datetime) -> dict[tuple[str, str], int]:
    """(metric, cohort) -> count of the sends in the window, for the daily snapshot: billed pushes and free
    replies from the outbox by their member's cohort, and multicast recipients (the batches' frozen member
    ids) by theirs; cohort '' is everyone (sends to no member, e.g. staff summaries, count there only)."""
    o, b = OutboundMessage, DeliveryBatch
    cohort = metrics.cohort_of(Member.cohort)
    rows: dict[tuple[str, str], int] = {(metric, ALL_COHORTS): 0 for metric in SEND_METRICS}

    def put(metric: str, key: str | None, value: int) -> None:
        if value:
            rows[(metric, ALL_COHORTS if key is None else key)] = (
                rows.get((metric, ALL_COHORTS if key is None else key), 0) + int(value))

    for key, push, reply in session.execute(
            select(cohort, func.sum(case((o.sent_via == "push", 1), else_=0)),
                   func.sum(case((o.sent_via == "reply", 1), else_=0)))
            .select_from(o).outerjoin(Member, Member.id == o.member_id)
            .where(o.status == OutboundStatus.SENT, o.sent_at >= since, o.sent_at < until)
            .group_by(cohort)):
        for metric, value in (("billed_push", push), ("replies_free", reply)):
            put(metric, None, value or 0)
            put(metric, key, value or 0)
    batch_where = [b.status == BatchStatus.SENT, b.finished_at >= since, b.finished_at < until]
    put("billed_multicast", None, session.scalar(select(func.sum(b.sent_count)).where(*batch_where)) or 0)
    if session.get_bind().dialect.name == "postgresql":
        ids = select(func.unnest(b.member_ids).label("member_id")).where(*batch_where)
    else:
        each = func.json_each(b.member_ids).table_valued("value")
        ids = select(each.c.value.label("member_id")).select_from(b).join(each, true()).where(*batch_where)
    recipients = ids.subquery()
    for key, count in session.execute(select(cohort, func.count()).select_from(
            recipients.join(Member, Member.id == recipients.c.member_id)).group_by(cohort)):
        put("billed_multicast", key, count)
    return rows


def _stored_sends(session: Session, start: date, end: date, cohort_key: str | None
                  ) -> tuple[dict[str, tuple[int, int, int]], set[date]]:
    """{day: (pushes, multicast recipients, replies)} from the snapshots (today's provisional ones too), and
    the days that have a snapshot (one indexed range read)."""
    stored = {d for d in session.scalars(select(KpiDaily.day).where(
        KpiDaily.metric == "members", KpiDaily.cohort == ALL_COHORTS, KpiDaily.day >= start, KpiDaily.day <= end))}
    by_day: dict[str, list[int]] = {}
    for day, metric, value in session.execute(select(KpiDaily.day, KpiDaily.metric, KpiDaily.value).where(
            KpiDaily.metric.in_(SEND_METRICS), KpiDaily.cohort == (cohort_key or ALL_COHORTS),
            KpiDaily.day >= start, KpiDaily.day <= end)):
        by_day.setdefault(day.isoformat(), [0, 0, 0])[SEND_METRICS.index(metric)] = int(value)
    return {k: (v[0], v[1], v[2]) for k, v in by_day.items()}, stored


def cost_section(session: Session, line: Any, start: date, end: date, cohort: str | None = None,
                 now: datetime | None = None, line_timeout: float = LINE_TIMEOUT) -> CostSection:
    """The cost figures for the Japan-time days `start`..`end` (inclusive; at most MAX_DAYS days, counted
    back from `end`), optionally only for sends to one join-month cohort. LINE's quota and consumption are
    asked of `line` (None: not asked), waiting at most `line_timeout` seconds; any failure or delay leaves a
    Japanese note instead of raising."""
    if end < start:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    cohort_key = cohort_filter(cohort)
    # The snapshots hold each day's sends (a year of views reads a few hundred rows, never the outbox); the
    # few recent days not stored yet (a new install, a stopped worker) are counted from the sends.
    by_day, stored = _stored_sends(session, start, end, cohort_key)
    missing = [d for d in _each_day(start, end) if d not in stored]
    if missing and len(missing) <= LIVE_DAYS_MAX:
        counted = _sends_by_day(session, _jst_midnight(missing[0]), _jst_midnight(missing[-1] + timedelta(days=1)),
                                cohort_key)
        by_day.update({k: v for k, v in counted.items() if date.fromisoformat(k) in set(missing)})
    days = []
    for day in _each_day(start, end):
        push, multicast, replies = by_day.get(day.isoformat(), (0, 0, 0))
        days.append(CostDay(day, push + multicast, replies))
    months: list[CostMonth] = []
    active = _active_by_month(session, start, end, cohort_key)
    for month in _each_month(start, end):
        push = multicast = replies = 0
        for key, (p, m, r) in by_day.items():
            if key.startswith(month):
                push, multicast, replies = push + p, multicast + m, replies + r
        months.append(CostMonth(month, push, multicast, replies, active.get(month, 0)))
    current = (now or datetime.now(JST)).astimezone(JST).date()
    quota = _quota(session, line, current, line_timeout)
    return CostSection(start, end, cohort_key, months, days, quota)


def _active_by_month(session: Session, start: date, end: date, cohort_key: str | None) -> dict[str, int]:
    """Members active in the 30 days to each month's last day in the range that has figures (its end, or
    today's so far), from the KPI snapshots: one query, never a scan of the month's activity per view."""
    rows = session.execute(select(KpiDaily.day, KpiDaily.value).where(
        KpiDaily.metric == "active_30d", KpiDaily.cohort == (cohort_key or ALL_COHORTS),
        KpiDaily.day >= start.replace(day=1), KpiDaily.day <= end).order_by(KpiDaily.day)).all()
    return {day.strftime("%Y-%m"): int(value) for day, value in rows}  # the last day of each month wins


def cost_csv_rows(section: CostSection) -> tuple[list[str], list[list[Any]]]:
    """The monthly table as CSV cells (the caller writes UTF-8 with a BOM)."""
    header = ["月", "課金対象の通数", "うちプッシュ（個別）", "うち一斉配信（マルチキャスト）",
              "応答メッセージ（無料）", "アクティブメンバー数", "アクティブメンバー1人あたりの通数"]
    rows = [[m.month, m.billed, m.billed_push, m.billed_multicast, m.replies, m.active_members,
             "" if m.billed_per_active is None else f"{m.billed_per_active:.2f}"] for m in section.months]
    return header, rows


def cost_daily_csv_rows(section: CostSection) -> tuple[list[str], list[list[Any]]]:
    """The day-by-day table as CSV cells."""
    return ["日付", "課金対象の通数", "応答メッセージ（無料）"], [
        [d.day.isoformat(), d.billed, d.replies] for d in section.days]


def billed_between(session: Session, since: datetime, until: datetime) -> int:
    """Billed messages LINE accepted in [since, until), by our records."""
    return sum(p + m for p, m, _ in _sends_by_day(session, since, until, None).values())


# --- the statements ---------------------------------------------------------------------------------------

def _jst_day(session: Session, column: Any) -> ColumnElement[Any]:
    """A UTC timestamp column as its Japan-time calendar day, "YYYY-MM-DD" (Japan has no daylight saving)."""
    if session.get_bind().dialect.name == "postgresql":
        # Constants inlined, not bound: GROUP BY must repeat the SELECT's expression exactly.
        return func.to_char(func.timezone(literal_column("'Asia/Tokyo'"), column), literal_column("'YYYY-MM-DD'"))
    return func.strftime(literal_column("'%Y-%m-%d'"), column, literal_column("'+9 hours'"))


def _in_cohort(member_id: Any, cohort: str) -> ColumnElement[bool]:
    return select(Member.id).where(Member.id == member_id, metrics.cohort_of(Member.cohort) == cohort).exists()


def _sends_by_day(session: Session, since: datetime, until: datetime,
                  cohort_key: str | None) -> dict[str, tuple[int, int, int]]:
    """{day: (billed pushes, billed multicast recipients, replies)} in one statement."""
    o = OutboundMessage
    sent = [o.status == OutboundStatus.SENT, o.sent_at >= since, o.sent_at < until]
    if cohort_key is not None:
        sent.append(_in_cohort(o.member_id, cohort_key))
    outbox = (
        select(_jst_day(session, o.sent_at).label("day"),
               func.sum(case((o.sent_via == "push", 1), else_=0)).label("push"),
               literal(0).label("multicast"),
               func.sum(case((o.sent_via == "reply", 1), else_=0)).label("replies"))
        .where(*sent).group_by(_jst_day(session, o.sent_at))
    )
    b = DeliveryBatch
    batch_where = [b.status == BatchStatus.SENT, b.finished_at >= since, b.finished_at < until]
    if cohort_key is None:
        batches = (select(_jst_day(session, b.finished_at).label("day"), literal(0).label("push"),
                          func.sum(b.sent_count).label("multicast"), literal(0).label("replies"))
                   .where(*batch_where).group_by(_jst_day(session, b.finished_at)))
    else:
        # Per recipient: the batch's frozen member ids that belong to the cohort (a member who left before
        # the batch went out, rare, is counted too: LINE does not say who was skipped).
        if session.get_bind().dialect.name == "postgresql":
            ids = select(b.finished_at.label("at"), func.unnest(b.member_ids).label("member_id")).where(*batch_where)
        else:
            each = func.json_each(b.member_ids).table_valued("value")
            ids = select(b.finished_at.label("at"), each.c.value.label("member_id")).join(each, true()).where(
                *batch_where)
        recipients = ids.subquery()
        day = _jst_day(session, recipients.c.at)
        batches = (select(day.label("day"), literal(0).label("push"), func.count().label("multicast"),
                          literal(0).label("replies"))
                   .select_from(recipients.join(Member, Member.id == recipients.c.member_id))
                   .where(metrics.cohort_of(Member.cohort) == cohort_key)
                   .group_by(day))
    both = union_all(outbox, batches).subquery()
    rows = session.execute(
        select(both.c.day, func.sum(both.c.push), func.sum(both.c.multicast), func.sum(both.c.replies))
        .group_by(both.c.day)
    )
    return {str(day): (int(p or 0), int(m or 0), int(r or 0)) for day, p, m, r in rows}


def _quota(session: Session, line: Any, today: date, timeout: float) -> QuotaInfo:
    month_start = today.replace(day=1)
    month = month_start.strftime("%Y-%m")
    ours = billed_between(session, _jst_midnight(month_start), _jst_midnight(_next_month(month_start)))
    if line is None:
        return QuotaInfo(month, ours, error=QUOTA_NOT_ASKED)
    quota = _fetch_quota(line, timeout)
    if quota is None:
        return QuotaInfo(month, ours, error=QUOTA_UNAVAILABLE)
    return QuotaInfo(month, ours, limit=quota.limit, limited=quota.limit is not None, line_used=quota.used)


def _fetch_quota(line: Any, timeout: float) -> Quota | None:
    """LINE's quota and consumption, or None if LINE failed or took longer than `timeout` seconds (the call
    then finishes in the background, bounded by the client's own timeouts; the page does not wait)."""
    answer: queue.SimpleQueue[Quota | None] = queue.SimpleQueue()

    def ask() -> None:
        try:
            answer.put(line.get_quota())
        except (LineError, OSError, ValueError) as exc:
            log.warning("LINE quota unavailable: %s", exc)
            answer.put(None)
        except Exception:
            log.exception("LINE quota failed unexpectedly")
            answer.put(None)

    threading.Thread(target=ask, name="line-quota", daemon=True).start()
    try:
        return answer.get(timeout=timeout)
    except queue.Empty:
        log.warning("LINE quota took longer than %.1f s; showing our own figures", timeout)
        return None


# --- calendar ---------------------------------------------------------------------------------------------

def _jst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JST)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _each_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _each_month(start: date, end: date) -> list[str]:
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        months.append(cursor.strftime("%Y-%m"))
        cursor = _next_month(cursor)
    return months
