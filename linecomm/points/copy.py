"""Japanese copy for points (丁寧語): the chat reply (a Flex bubble), my page, the admin page."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from linecomm.points.models import EntryKind, PointEntry
from linecomm.points.rules import label_of
from linecomm.timezones import format_jst

TITLE = "ポイント"
NO_HISTORY = "まだポイントの履歴はありません。テーマへの回答やアンケートなどでポイントがたまります。"
MANUAL_GRANTED = "{count:,}人に{amount:+,}ポイントを付与しました。"
MANUAL_REPEATED = "この操作はすでに実行済みです（二重送信のため何も変更していません）。"
MANUAL_ONE = "{amount:+,}ポイントを記録しました。"
RULE_SAVED = "「{label}」のルールを保存しました。これから記録される行動に適用されます。"
BAD_NUMBER = "{what}は半角の整数で入力してください。"
BAD_SEGMENT = "対象の指定を読み取れませんでした。"


def points(n: int) -> str:
    return f"{n:,}pt"


def describe(kind: str, action_kind: str | None, reason: str | None) -> str:
    """One ledger row, as my page lists it."""
    label = label_of(action_kind)
    if kind == EntryKind.GRANT:
        return label
    if kind == EntryKind.REVERSAL:
        return f"{label}（{'取り消し' if reason == '取り消し' else '非表示'}）"
    if kind == EntryKind.EXPIRY:
        return f"{label}（有効期限切れ）" if label else "有効期限切れ"
    return f"運営より：{reason}" if reason else "運営より"


def valid_until(entry: PointEntry) -> str:
    """「2027年12月5日まで」 for a grant that expires (its last valid JST day), else ''."""
    if entry.expires_at is None or entry.amount <= 0 or entry.kind != EntryKind.GRANT:
        return ""
    return format_jst(entry.expires_at - timedelta(seconds=1), "%Y年%-m月%-d日まで")


def chat_bubble(nickname: str, balance: int, lifetime: int, url: str | None) -> dict[str, Any]:
    """The reply to 「ポイント」: a compact Flex bubble (the balance, the lifetime total; a link to my page
    when LIFF is set up). Texts are short and fixed in shape, far within LINE's Flex limits."""
    body: list[dict[str, Any]] = [
        {"type": "text", "text": f"{nickname[:40]}さんのポイント", "size": "sm", "color": "#666666", "wrap": True},
        {"type": "text", "text": points(balance), "size": "xxl", "weight": "bold", "margin": "md"},
        {"type": "box", "layout": "baseline", "margin": "md", "contents": [
            {"type": "text", "text": "これまでの累計", "size": "sm", "color": "#666666", "flex": 0},
            {"type": "text", "text": points(lifetime), "size": "sm", "align": "end"},
        ]},
    ]
    bubble: dict[str, Any] = {"type": "bubble", "size": "kilo",
                              "body": {"type": "box", "layout": "vertical", "contents": body}}
    if url:
        bubble["footer"] = {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "link", "height": "sm",
             "action": {"type": "uri", "label": "履歴を見る", "uri": url}}]}
    return {"type": "flex", "altText": f"ポイント残高：{points(balance)}（累計 {points(lifetime)}）",
            "contents": bubble}
