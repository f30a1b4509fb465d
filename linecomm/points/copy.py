"""Japanese copy for points (丁寧語): the chat reply (a Flex bubble), my page, the admin page."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from linecomm.points.farming import CLEARED
from linecomm.points.models import EntryKind, PointEntry
from linecomm.points.ranks import Progress
from linecomm.points.rules import label_of
from linecomm.timezones import format_jst

TITLE = "ポイント"
NO_HISTORY = "まだポイントの履歴はありません。テーマへの回答やアンケートなどでポイントがたまります。"
MANUAL_GRANTED = "{count:,}人に{amount:+,}ポイントを付与しました。"
MANUAL_DEDUCTED = "{count:,}人から{points:,}ポイントを減算しました（残高が足りないメンバーは対象外です）。"
MANUAL_NOBODY = "対象のメンバーがいないため、何も記録していません（減算は残高が足りるメンバーだけが対象です）。"
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
        return f"{label}（{reason}）" if reason else label  # a reason: points withheld (farming)
    if kind == EntryKind.REVERSAL:
        if reason == CLEARED:  # 0 points: the withheld grant settled, paid again on the next row
            return f"{label}（{reason}）"
        return f"{label}（{'取り消し' if reason == '取り消し' else '非表示'}）"
    if kind == EntryKind.EXPIRY:
        return f"{label}（有効期限切れ）" if label else "有効期限切れ"
    return f"運営より：{reason}" if reason else "運営より"


def valid_until(entry: PointEntry) -> str:
    """「2027年12月5日まで」 for a grant that expires (its last valid JST day), else ''."""
    if entry.expires_at is None or entry.amount <= 0 or entry.kind != EntryKind.GRANT:
        return ""
    return format_jst(entry.expires_at - timedelta(seconds=1), "%Y年%-m月%-d日まで")


LIFF_BASE = "https://liff.line.me"
RANK_SAVED = "ランクを保存しました（第{version}版）。メンバーのランクを新しい基準に合わせました。"
RANK_RACED = "ほかの方が同時にランクを変更しました。最新の内容を確認してから、もう一度保存してください。"
RANK_BAD_LINE = "{n}行目を読み取れませんでした。「ランク名, 必要な累計ポイント」の形で入力してください。"
WEEKDAYS = "月火水木金土日"


def points_url(liff_id: str | None) -> str | None:
    return f"{LIFF_BASE}/{liff_id}/points" if liff_id else None


def rank_up(rank_name: str) -> list[dict[str, Any]]:
    """The message announcing a new rank (once per member and rank)."""
    return [{"type": "text", "text": f"おめでとうございます！ランクが「{rank_name}」に上がりました。\n"
                                     "いつもコミュニティを盛り上げてくださり、ありがとうございます。"}]


def jst_day(day: date) -> str:
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def expiry_warning(first: date, last: date, amount: int, url: str | None) -> list[dict[str, Any]]:
    """The message before points expire (at most once a fortnight per member): what expires from the first
    to the last of the coming days, in all."""
    when = (f"{jst_day(first)}に{amount:,}ポイント" if first == last
            else f"{jst_day(first)}から{jst_day(last)}までに、合計{amount:,}ポイント")
    text = (f"{when}の有効期限が切れます。\n"
            "期限が過ぎたポイントは失効しますので、あらかじめご了承ください。")
    if url:
        text += f"\nポイントの履歴はこちらからご覧いただけます。\n{url}"
    return [{"type": "text", "text": text}]


def rank_line(progress: Progress) -> str:
    """「シルバーまであと120pt」, or at the top 「最高ランクです」."""
    if progress.next is None:
        return "最高ランクです"
    return f"「{progress.next.name}」まであと{points(progress.needed)}"


def chat_bubble(nickname: str, balance: int, lifetime: int, url: str | None,
                progress: Progress | None = None) -> dict[str, Any]:
    """The reply to 「ポイント」: a compact Flex bubble (the balance, the rank and the way to the next one,
    the lifetime total; a link to my page when LIFF is set up). Texts are short and fixed in shape, far
    within LINE's Flex limits."""
    body: list[dict[str, Any]] = [
        {"type": "text", "text": f"{nickname[:40]}さんのポイント", "size": "sm", "color": "#666666", "wrap": True},
        {"type": "text", "text": points(balance), "size": "xxl", "weight": "bold", "margin": "md"},
    ]
    if progress is not None:
        body.append({"type": "box", "layout": "baseline", "margin": "md", "contents": [
            {"type": "text", "text": "ランク", "size": "sm", "color": "#666666", "flex": 0},
            {"type": "text", "text": progress.rank.name, "size": "sm", "weight": "bold", "align": "end"},
        ]})
        # A bar: the filled part's width is the share of the way to the next rank.
        body.append({"type": "box", "layout": "vertical", "margin": "sm", "height": "6px",
                     "backgroundColor": "#EEEEEE", "cornerRadius": "3px", "contents": [
                         {"type": "box", "layout": "vertical", "width": f"{max(progress.percent, 1)}%",
                          "height": "6px", "backgroundColor": "#06C755", "contents": []}]})
        body.append({"type": "text", "text": rank_line(progress), "size": "xs", "color": "#666666",
                     "margin": "sm", "wrap": True})
    body.append({"type": "box", "layout": "baseline", "margin": "md", "contents": [
        {"type": "text", "text": "これまでの累計", "size": "sm", "color": "#666666", "flex": 0},
        {"type": "text", "text": points(lifetime), "size": "sm", "align": "end"},
    ]})
    bubble: dict[str, Any] = {"type": "bubble", "size": "kilo",
                              "body": {"type": "box", "layout": "vertical", "contents": body}}
    if url:
        bubble["footer"] = {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "link", "height": "sm",
             "action": {"type": "uri", "label": "履歴を見る", "uri": url}}]}
    rank = f"・{progress.rank.name}" if progress is not None else ""
    return {"type": "flex", "altText": f"ポイント残高：{points(balance)}（累計 {points(lifetime)}{rank}）",
            "contents": bubble}
