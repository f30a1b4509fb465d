"""What the account says in chat about answers, reactions and votes on theme posts. Polite (丁寧語),
short, sparing with emoji; kept here so it can be reviewed without touching the rules."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from linecomm.line.limits import MAX_TEXT_UNITS, truncate_utf16
from linecomm.moderation import copy as moderation_copy
from linecomm.text.quotes import quoted
from linecomm.timezones import JST

Message = dict[str, Any]
NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩"
ANSWER_PREVIEW_UNITS = 300
OPEN_THEME_UNITS = 1000


def text(body: str, quick_replies: list[dict[str, Any]] | None = None) -> Message:
    message: Message = {"type": "text", "text": truncate_utf16(body, MAX_TEXT_UNITS)}
    if quick_replies:
        message["quickReply"] = {"items": [{"type": "action", "action": a} for a in quick_replies]}
    return message


def _title(title: str) -> str:
    return truncate_utf16(title, 60)


def see_answers_action(post_id: int) -> dict[str, Any]:
    return {"type": "postback", "label": "みんなの回答を見る", "data": f"action=answers&post={post_id}",
            "displayText": "みんなの回答を見る"}


def answer_published(title: str, post_id: int, image: bool = False) -> list[Message]:
    what = "お写真" if image else "ご回答"
    return [text(f"{quoted(_title(title))}への{what}ありがとうございます！\nコミュニティに掲載しました。",
                 [see_answers_action(post_id)])]


def answer_held(title: str) -> list[Message]:
    return [text(f"{quoted(_title(title))}へのご回答ありがとうございます。\n"
                 "内容を運営で確認したうえで掲載いたします。しばらくお待ちください。")]


def photo_held(title: str) -> list[Message]:
    return [text(f"{quoted(_title(title))}へのお写真ありがとうございます！\n"
                 "写真は確認後に公開されます。公開まで少しお待ちください。")]


def answers_closed(title: str) -> list[Message]:
    return [text(f"メッセージありがとうございます。\n{quoted(_title(title))}へのご回答の受付は終了しました。"
                 "次のテーマのお届けをお楽しみに。")]


def already_answered(title: str) -> list[Message]:
    return [text(f"メッセージありがとうございます。\n{quoted(_title(title))}へのご回答は、お一人さま1回までとさせていただいております。"
                 "最初にお送りいただいた内容を回答として受け付けています。")]


def _until(moment: datetime, now: datetime) -> str:
    local, today = moment.astimezone(JST), now.astimezone(JST).date()
    return local.strftime("%H:%M") if local.date() == today else f"{local.month}月{local.day}日 {local:%H:%M}"


def open_theme(title: str, body: str, closes_at: datetime, now: datetime, single: bool = False) -> list[Message]:
    """「テーマ」: the open theme post again, with when answers close."""
    once = "（お一人さま1回まで）" if single else ""
    return [text(f"受付中のテーマは{quoted(_title(title))}です。\n\n{truncate_utf16(body, OPEN_THEME_UNITS)}\n\n"
                 f"{_until(closes_at, now)}まで、このトークにそのままお送りください{once}。")]


def no_open_theme() -> list[Message]:
    return [text("ただいま回答を受け付けているテーマはありません。次のテーマのお届けをお楽しみに。")]


def reaction_counted(label: str) -> list[Message]:
    return [text(f"{quoted(label)}をお送りしました。ありがとうございます！")]


def vote_counted(label: str) -> list[Message]:
    return [text(f"{quoted(label)}に投票しました。ご協力ありがとうございます！")]


def vote_changed(label: str) -> list[Message]:
    return [text(f"投票を{quoted(label)}に変更しました。")]


def vote_closed() -> list[Message]:
    return [text("申し訳ありません。この投票の受付は終了しました。")]


def button_unavailable() -> list[Message]:
    return [text("申し訳ありません。このボタンは現在ご利用いただけません。")]


def test_button() -> list[Message]:
    return [text("（テスト配信）このボタンの操作は集計されません。")]


def members_only() -> list[Message]:
    return [text("申し訳ありません。こちらはコミュニティのメンバーの方のみご利用いただけます。")]


def no_other_answers(title: str) -> list[Message]:
    return [text(f"{quoted(_title(title))}には、まだほかの方の回答がありません。")]


def others_answers(title: str, entries: list[tuple[int, str, str]]) -> list[Message]:
    """Up to ten published answers as (content id, nickname, body), newest first, each with a report
    (通報) button: the moderation core's postback."""
    lines = [f"{quoted(_title(title))}へのみなさんの回答（新しい順）"]
    buttons = []
    for number, (content_id, nickname, body) in zip(NUMBERS, entries, strict=False):
        lines.append(f"{number} {nickname}さん\n{truncate_utf16(body, ANSWER_PREVIEW_UNITS)}")
        buttons.append(moderation_copy.report_action(content_id, f"{number}を通報"))
    lines.append("気になる投稿があれば、下のボタンから運営にお知らせください。")
    return [text("\n\n".join(lines), buttons)]
