"""Japanese labels and small formatters for the console's pushes pages (posts, deliveries, steps)."""
from __future__ import annotations

from typing import Any

from linecomm.admin.blueprint import bp
from linecomm.line.client import LineClient, LineError, Quota
from linecomm.pushes.copy import STATUS_LABELS, waiting_for_quiet_hours
from linecomm.pushes.progress import Progress
from linecomm.pushes.schedule import WEEKDAY_LABELS

DELIVERY_STATUS = {**STATUS_LABELS, "sent": "完了"}  # a delivery that went out is simply done
WAITING_LABEL = "再開待ち"  # sending, but stopped for quiet hours
DELIVERY_KIND = {"post": "配信", "step": "ステップ配信", "test": "テスト配信", "survey": "アンケートのお知らせ",
                 "idea": "アイデアへの公式回答"}
CHOICE_KIND = {"reactions": "リアクション", "poll": "投票"}


@bp.app_template_filter("post_status")
def post_status(value: str | None) -> str:
    return STATUS_LABELS.get(value or "", value or "")


@bp.app_template_filter("delivery_status")
def delivery_status(value: str | None) -> str:
    return DELIVERY_STATUS.get(value or "", value or "")


@bp.app_template_filter("delivery_kind")
def delivery_kind(value: str | None) -> str:
    return DELIVERY_KIND.get(value or "", value or "")


@bp.app_template_filter("choice_kind")
def choice_kind(value: str | None) -> str:
    return CHOICE_KIND.get(value or "", "なし")


@bp.app_template_filter("weekday")
def weekday(value: int | None) -> str:
    return "" if value is None else WEEKDAY_LABELS[value] + "曜日"


@bp.app_template_filter("num")
def num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def duration(seconds: float | None) -> str:
    """"約3分20秒" for an ETA or a duration."""
    if seconds is None:
        return "—"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"約{seconds}秒"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"約{minutes}分{rest}秒" if rest else f"約{minutes}分"
    hours, minutes = divmod(minutes, 60)
    return f"約{hours}時間{minutes}分"


bp.add_app_template_filter(duration, "duration")


def quiet_label(label: str) -> str:
    """"21:00〜09:00（日本時間）", or なし when start and end are the same (no quiet hours)."""
    start, _, end = label.partition("〜")
    return "なし" if start == end else f"{label}（日本時間）"


bp.add_app_template_filter(quiet_label, "quiet_label")


def quota_or_none(line: LineClient) -> Quota | None:
    """The month's quota as LINE reports it, or None when LINE does not answer (the page says so).
    Called where no write transaction is open (a page reads in a read-only session; a form asks before
    its first write), so nothing waits on LINE."""
    try:
        return line.get_quota()
    except LineError:
        return None


def progress_json(p: Progress) -> dict[str, Any]:
    """What the progress panels poll: numbers, labels, whether it is over, and a notice when it waits
    for quiet hours to end."""
    finished = p.status in ("sent", "cancelled", "failed")
    label = WAITING_LABEL if p.waiting else DELIVERY_STATUS.get(p.status, p.status)
    return {
        "delivery_id": p.delivery_id, "kind": p.kind, "status": p.status,
        "status_label": label, "finished": finished, "waiting": p.waiting,
        "notice": waiting_for_quiet_hours(p.resumes_at, p.as_of) if p.resumes_at else None,
        "matched": p.matched, "recipients": p.recipients, "sent": p.sent, "skipped": p.skipped,
        "over_cap": p.over_cap, "over_quota": p.over_quota, "failed": p.failed, "cancelled": p.cancelled,
        "pending": p.pending, "rate": round(p.rate_per_second, 1), "eta_seconds": p.eta_seconds,
        "eta_label": "—" if finished else duration(p.eta_seconds),
        "done_percent": round(100 * p.done_fraction, 1), "error": p.error,
    }
