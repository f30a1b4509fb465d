"""The chat replies of linking a staff member's LINE account (linecomm.staff.chat), in one place."""
from __future__ import annotations

from typing import Any


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
