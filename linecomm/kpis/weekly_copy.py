"""The words of the weekly staff summary, in one place (linking the LINE account: linecomm.staff.line_copy).

The summary is one Flex bubble, short fixed texts well within LINE's Flex limits (linecomm.line.fake's
validation checks every one the tests send)."""
from __future__ import annotations

from datetime import date
from typing import Any

from linecomm.kpis.summary import WeekFigures

WEEKDAYS = "月火水木金土日"
BRAND_GREEN = "#06C755"
MUTED = "#888888"
FOOTER = "詳しい数値は管理画面の「KPI」でご覧いただけます。受け取りの停止も管理画面の「アカウント」から行えます。"


def _day(d: date) -> str:
    return f"{d.month}/{d.day}（{WEEKDAYS[d.weekday()]}）"


def _row(label: str, value: str, note: str = "") -> dict[str, Any]:
    contents: list[dict[str, Any]] = [
        {"type": "text", "text": label, "size": "sm", "color": "#555555", "flex": 3},
        {"type": "text", "text": value, "size": "sm", "weight": "bold", "align": "end", "flex": 2},
    ]
    row: dict[str, Any] = {"type": "box", "layout": "horizontal", "margin": "md", "contents": contents}
    if note:
        return {"type": "box", "layout": "vertical", "margin": "md", "contents": [
            {**row, "margin": "none"},
            {"type": "text", "text": note, "size": "xxs", "color": MUTED, "align": "end"}]}
    return row


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}"


def summary_bubble(figures: WeekFigures, community_name: str = "コミュニティ") -> dict[str, Any]:
    """The weekly summary as a LINE Flex message (a `flex` message object with one bubble)."""
    period = f"{_day(figures.start_day)}〜{_day(figures.end_day)}"
    net = figures.joined - figures.left
    nps = "回答なし" if figures.nps is None else f"{figures.nps:+d}"
    body = [
        _row("メンバー数", f"{figures.members:,}人",
             f"参加 {figures.joined:,}人・退会 {figures.left:,}人（{_signed(net)}人）"),
        _row("アクティブ（7日間）", f"{figures.active_7d:,}人", f"メンバーの{figures.active_rate * 100:.1f}%"),
        _row("投稿数", f"{figures.ugc_posts:,}件"),
        _row("NPS", nps),
        _row("紹介からの参加", f"{figures.referrals_joined:,}人"),
    ]
    bubble: dict[str, Any] = {
        "type": "bubble", "size": "mega",
        "header": {"type": "box", "layout": "vertical", "backgroundColor": BRAND_GREEN, "paddingAll": "lg",
                   "contents": [
                       {"type": "text", "text": f"{community_name[:30]} 週次サマリー", "color": "#FFFFFF",
                        "weight": "bold", "size": "md", "wrap": True},
                       {"type": "text", "text": period, "color": "#FFFFFF", "size": "xs", "margin": "sm"}]},
        "body": {"type": "box", "layout": "vertical", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "text", "text": FOOTER, "size": "xxs", "color": MUTED, "wrap": True}]},
    }
    alt = (f"週次サマリー {period}：メンバー{figures.members:,}人、アクティブ{figures.active_7d:,}人"
           f"（{figures.active_rate * 100:.1f}%）、投稿{figures.ugc_posts:,}件")
    return {"type": "flex", "altText": alt[:400], "contents": bubble}
