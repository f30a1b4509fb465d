"""What marketers read about pushes (Japanese, in one place): refusals, warnings and report lines."""
from __future__ import annotations

from datetime import datetime, timedelta

from linecomm.timezones import JST, format_jst


def n(value: int) -> str:
    return f"{value:,}"


def over_quota(billable: int, remaining: int) -> str:
    return (
        f"配信対象は{n(billable)}人ですが、今月の残り配信可能数は{n(remaining)}通です。"
        "このまま配信すると月間の上限を超えるため、配信できません。"
        f"対象を絞り込むか、「上限の範囲で配信する」を選ぶと{n(remaining)}人に配信します"
        "（残りの方には届きません）。"
    )


def quota_exhausted() -> str:
    return "今月の配信可能数が残っていないため、配信できません。来月になるか、プランの上限を見直してください。"


def quota_reached_during_send() -> str:
    return "配信中に今月の配信上限に達したため、残りの方には配信できませんでした。"


def partial_send(sendable: int, billable: int) -> str:
    return f"月間の上限のため、対象{n(billable)}人のうち{n(sendable)}人に配信します。"


def quiet_hours_moved(requested: datetime, starts: datetime, quiet_label: str) -> str:
    return (
        f"{format_jst(requested)} は配信しない時間帯（{quiet_label}）のため、"
        f"{format_jst(starts)} に配信を始めます。"
    )


def waiting_for_quiet_hours(resumes_at: datetime, now: datetime) -> str:
    """A delivery under way that stopped for quiet hours: when it carries on (Japan time)."""
    today = now.astimezone(JST).date()
    day = resumes_at.astimezone(JST).date()
    when = format_jst(resumes_at, "%H:%M")
    if day == today + timedelta(days=1):
        when = "明日の" + when
    elif day != today:
        when = f"{day.month}月{day.day}日 {when}"
    return f"配信しない時間帯のため、{when}に再開します。"


def over_cap(skipped: int, cap: int) -> str:
    return f"直近7日間にすでに{cap}回配信を受け取った{n(skipped)}人には送りません。"


def no_answer_window() -> str:
    return ("回答の受付期間が未設定です。メンバーがこの投稿にトークで返信しても回答としては受け付けず、"
            "通常のお礼だけを返します。回答を募る投稿では、受付期間を設定してください。")


def not_tested() -> str:
    return "まだテスト配信をしていません。スタッフのLINEで表示を確かめてから配信してください。"


def no_recipients() -> str:
    return "配信対象のメンバーがいません。条件を見直してください。"


def no_test_recipients() -> str:
    return "テスト配信先のスタッフが登録されていません。先にスタッフのLINEユーザーIDを登録してください。"


def not_editable(status_label: str) -> str:
    return f"この投稿は「{status_label}」のため、編集・予約・取り消しはできません。"


def unknown_tags(names: list[str]) -> str:
    return "存在しないタグが指定されています: " + "、".join(names)


def line_rejected(message: str) -> str:
    return f"LINEが配信を受け付けませんでした（{message}）。"


def gave_up_retrying(message: str) -> str:
    return f"LINEに何度送っても受け付けられなかったため、配信をあきらめました（最後のエラー: {message}）。"


def retry_key_expired() -> str:
    return "最初の送信から24時間以上たち、重複を防ぐキーが使えなくなったため、再送を取りやめました。"


STATUS_LABELS = {
    "draft": "下書き",
    "scheduled": "予約済み",
    "starting": "準備中",
    "sending": "配信中",
    "paused": "一時停止中",
    "sent": "配信済み",
    "cancelled": "取り消し",
    "failed": "失敗",
}
