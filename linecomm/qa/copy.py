"""What members read in Q&A: field errors, page states, the notice of a new answer and the chat reply to
「質問」. Polite (丁寧語) and short; kept here so it can be reviewed without touching the rules."""
from __future__ import annotations

from typing import Any

from linecomm.line.limits import truncate_utf16
from linecomm.text.quotes import quoted

Message = dict[str, Any]

TITLE_MAX = 60
BODY_MAX = 1000
ANSWER_MAX = 1000
FAQ_BODY_MAX = 3000

# Categories: key → label (the key is stored).
CATEGORIES: dict[str, str] = {
    "usage": "使い方",
    "product": "商品について",
    "order": "ご注文・配送",
    "other": "その他",
}

OFFICIAL = "公式"
BEST = "ベストアンサー"
STATUS_OPEN = "回答受付中"
STATUS_SOLVED = "解決済み"

# Field errors, shown beside the field.
TITLE_REQUIRED = "タイトルをご記入ください。"
BODY_REQUIRED = "質問の内容をご記入ください。"
ANSWER_REQUIRED = "回答をご記入ください。"
CATEGORY_REQUIRED = "カテゴリを選んでください。"
FORM_HAS_ERRORS = "入力内容をご確認ください。"


# Page states and outcomes.
NOT_FOUND = "お探しの質問は見つかりませんでした。非表示になったか、URLが正しくない可能性があります。"
FAQ_NOT_FOUND = "お探しのよくある質問は見つかりませんでした。"
HELD = "ありがとうございます。内容を確認してから公開します。しばらくお待ちください。"
BLOCKED = "申し訳ありません。この内容は投稿できませんでした。表現を変えてもう一度お試しください。"
SUSPENDED = "現在ご利用が制限されているため、投稿はできません。内容はご覧いただけます。"
NOT_ASKER = "ベストアンサーを選べるのは、質問した方だけです。"
OWN_ANSWER = "ご自身の回答はベストアンサーに選べません。"
ANSWER_NOT_FOUND = "その回答は見つかりませんでした。非表示になった可能性があります。"
BEST_CHOSEN = "ベストアンサーを選びました。ありがとうございます。"
ANSWERED = "回答を投稿しました。ありがとうございます。"
ASKED = "質問を投稿しました。回答が届いたらLINEでお知らせします。"
NO_QUESTIONS = "まだ質問はありません。最初の質問をしてみませんか。"
NO_FAQ = "該当するよくある質問は見つかりませんでした。"


def answer_notice(title: str, url: str) -> list[Message]:
    """The push to an asker when answers arrive (one per question per window, however many came)."""
    shown = truncate_utf16(title, 40)
    return [{"type": "text", "text": f"ご質問{quoted(shown)}に回答が届きました。\nこちらからご覧ください。\n{url}"}]


def qa_menu(page_url: str, faq_titles: list[str]) -> list[Message]:
    """The reply to 「質問」: the Q&A page and the newest FAQ titles."""
    lines = ["メンバー同士のQ&Aです。質問の投稿や、ほかのメンバーへの回答はこちらからどうぞ。", page_url]
    if faq_titles:
        lines.append("")
        lines.append("よくある質問（新着）")
        lines.extend(f"・{truncate_utf16(t, 60)}" for t in faq_titles)
    return [{"type": "text", "text": "\n".join(lines)}]


def category_label(key: str | None) -> str:
    return CATEGORIES.get(key or "", "その他")
