"""What members read about surveys: validation messages beside each field, the states a survey can be in,
and the chat reply to 「アンケート」. Polite (丁寧語), short; kept here so it can be reviewed without touching
the rules."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from linecomm.line.limits import MAX_TEXT_UNITS, truncate_utf16
from linecomm.text.quotes import quoted
from linecomm.timezones import format_jst

Message = dict[str, Any]

# Validation, shown beside the field (one message per question).
CHOOSE_ONE = "選択肢から1つ選んでください。"
CHOOSE_SOME = "1つ以上選んでください。"
ONLY_ONE = "選べるのは1つだけです。"
UNKNOWN_CHOICE = "選択肢の中から選んでください。"
WRITE_SOMETHING = "ご記入ください。"
RATING_RANGE = "1〜5の中から選んでください。"
NPS_RANGE = "0〜10の中から選んでください。"
FORM_HAS_ERRORS = "入力内容をご確認ください。赤字の項目に、ご回答が必要な点があります。"


# States of a survey, as the page says them.
THANK_YOU_DEFAULT = "ご回答ありがとうございました。いただいたご意見は、今後の商品づくりやサービスの参考にさせていただきます。"
NOT_FOUND = "お探しのアンケートは見つかりませんでした。公開が終わったか、URLが正しくない可能性があります。"
NOT_FOR_YOU = "申し訳ありません。このアンケートは、一部のメンバーの方にお願いしているものです。"
SUSPENDED = "現在ご利用が制限されているため、アンケートにはご回答いただけません。内容はご覧いただけます。"
EXPIRED_FORM = "ページの有効期限が切れました。お手数ですが、ページを開き直してからもう一度お送りください。"
ALREADY_SAVED = "このご回答はすでに受け付けています。"


def not_yet_open(opens_at: datetime | None) -> str:
    return f"このアンケートは{format_jst(opens_at, '%-m月%-d日 %H:%M')}から回答いただけます。もうしばらくお待ちください。"


def closed(closes_at: datetime | None) -> str:
    when = f"（{format_jst(closes_at, '%-m月%-d日 %H:%M')}まで）" if closes_at else ""
    return f"このアンケートの受付は終了しました{when}。ご協力ありがとうございました。"


def closes_label(closes_at: datetime | None) -> str:
    return f"{format_jst(closes_at, '%-m月%-d日 %H:%M')}まで" if closes_at else "受付中"


def edited_note(edit_count: int) -> str:
    return "回答を更新しました。" if edit_count else ""


# Chat: 「アンケート」.
NO_OPEN_SURVEYS = "現在回答いただけるアンケートはありません。"
CHAT_LIST_MAX = 5  # surveys named in one reply (the rest: see the list page)


def text(body: str) -> Message:
    return {"type": "text", "text": truncate_utf16(body, MAX_TEXT_UNITS)}


def no_open_surveys() -> list[Message]:
    return [text(NO_OPEN_SURVEYS)]


def open_surveys(entries: list[tuple[str, bool, datetime | None, str]], more: int, list_url: str) -> list[Message]:
    """One bubble: each open survey as its title, whether it was answered, until when, and its LIFF link."""
    lines = ["回答いただけるアンケートです。ぜひご協力ください。"]
    for title, answered, closes_at, url in entries:
        state = "回答済み・修正できます" if answered else "未回答"
        lines.append(f"\n■ {quoted(truncate_utf16(title, 60))}（{state}・{closes_label(closes_at)}）\n{url}")
    if more:
        lines.append(f"\nほか{more}件のアンケートは、こちらから：\n{list_url}")
    return [text("\n".join(lines))]
