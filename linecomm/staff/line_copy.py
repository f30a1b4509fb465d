"""The chat replies of linking a staff member's LINE account (linecomm.staff.chat), in one place."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from linecomm.timezones import JST


def text(message: str) -> dict[str, Any]:
    return {"type": "text", "text": message}


def linked(display_name: str) -> str:
    return (f"{display_name[:50]}さんのスタッフアカウントと、このLINEアカウントを連携しました。"
            "週次サマリーの受け取りは、管理画面の「アカウント」で設定できます。")


def link_how() -> str:
    return ("スタッフ連携には、管理画面の「アカウント」で発行した8桁のコードが必要です。"
            "「スタッフ連携 12345678」のように、コードを続けて送ってください。")


def link_code_refused() -> str:
    return ("このコードではスタッフ連携ができませんでした。コードの有効期限（発行から15分）が切れているか、"
            "すでに使われている可能性があります。お手数ですが、管理画面の「アカウント」で新しいコードを発行してください。")


def link_taken() -> str:
    return ("このLINEアカウントは、別のスタッフアカウントと連携済みです。"
            "連携を変更する場合は、先に連携中のアカウントの管理画面で連携を解除してください。")


def _when(moment: datetime, now: datetime) -> str:
    """A time in Japan, rounded up to the minute; the date too when it is not today."""
    local = (moment + timedelta(seconds=59)).astimezone(JST)
    today = now.astimezone(JST).date()
    return local.strftime("%H:%M") if local.date() == today else f"{local.month}月{local.day}日 {local:%H:%M}"


def link_entry_closed(until: datetime, now: datetime, everyone: bool = False) -> str:
    """Too many wrong codes (from this LINE account, or from `everyone`): no code is checked until `until`.
    Says nothing of the code just sent."""
    why = ("ただいまスタッフ連携の受け付けを一時的に停止しています。" if everyone
           else "スタッフ連携のコードが続けて一致しなかったため、しばらくお受けできません。")
    return (f"申し訳ありません。{why}\n{_when(until, now)}以降に、もう一度お試しください。"
            "コードの有効期限が切れている場合は、管理画面の「アカウント」で新しいコードを発行してください。")
