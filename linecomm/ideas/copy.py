"""What members and marketers read about ideas (共創): stage names, validation beside each field, the
notices sent in chat, and the console's messages. Polite (丁寧語), short; kept here so it can be reviewed
without touching the rules."""
from __future__ import annotations

from typing import Any

from linecomm.ideas.models import IdeaStage

TITLE_MAX = 40
DESCRIPTION_MAX = 1000
COMMENT_MAX = 500
ANSWER_MAX = 1000

CATEGORIES = ("商品", "サービス", "イベント", "コミュニティ", "その他")

STAGE_LABELS = {
    IdeaStage.OPEN: "募集中",
    IdeaStage.REVIEW: "検討中",
    IdeaStage.ADOPTED: "採用",
    IdeaStage.DECLINED: "見送り",
    IdeaStage.EXPIRED: "期限切れ",
}
SORT_LABELS = {"new": "新着順", "support": "応援の多い順", "momentum": "最近の勢い順"}

# Validation, beside the field.
TITLE_REQUIRED = "タイトルをご記入ください。"
DESCRIPTION_REQUIRED = "アイデアの内容をご記入ください。"
CATEGORY_REQUIRED = "カテゴリを選んでください。"
COMMENT_REQUIRED = "コメントをご記入ください。"
FORM_HAS_ERRORS = "入力内容をご確認ください。赤字の項目をご確認ください。"


# Pages.
NOT_FOUND = "お探しのアイデアは見つかりませんでした。非公開になったか、URLが正しくない可能性があります。"
SUBMITTED = "アイデアを投稿しました。ありがとうございます！"
HELD = "アイデアを受け付けました。運営が内容を確認したあとに公開されます。"
BLOCKED = "申し訳ありません。このアイデアは、コミュニティのルールにより公開できませんでした。"
COMMENT_HELD = "コメントを受け付けました。運営が内容を確認したあとに公開されます。"
COMMENT_BLOCKED = "申し訳ありません。このコメントは、コミュニティのルールにより公開できませんでした。"
SUPPORTED = "応援しました。"
WITHDRAWN = "応援を取り消しました。"
OWN_IDEA = "ご自身のアイデアは応援できません。"
NOT_SUPPORTABLE = "このアイデアは現在、応援を受け付けていません。"
NOT_EDITABLE = "応援が集まり始めたアイデアや、募集を終えたアイデアは編集できません。"
EDITED = "アイデアを更新しました。"
EMPTY_LIST = "まだアイデアがありません。最初のアイデアを投稿してみませんか？"
BAD_CURSOR = "ページの指定が正しくありません。一覧を開き直してください。"


def days_left(days: int | None) -> str:
    if days is None:
        return ""
    if days <= 0:
        return "本日まで"
    return f"あと{days}日"


# Chat notices (outbox / delivery engine).
def reached_notice(title: str, threshold: int, url: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": (
        f"あなたのアイデア「{title}」が応援{threshold:,}件に達しました！\n"
        "これから運営チームで検討いたします。結果はこのトークでお知らせします。\n" + url)}]


def answer_text(title: str, stage: str, body: str, url: str) -> str:
    return (f"【アイデアへの公式回答】\n「{title}」は「{STAGE_LABELS[stage]}」となりました。\n\n{body}\n\n"
            f"アイデアのページ: {url}")


# Console.
ANSWER_REQUIRED = "採用・見送りにするときは、公式回答をご記入ください。"
ANSWER_TOO_LONG = f"公式回答は{ANSWER_MAX:,}文字以内でご記入ください。"
STAGE_UNKNOWN = "ステージを選んでください。"
STAGE_SAME = "すでにそのステージです。"
STAGE_FINAL = "採用・見送り・期限切れのアイデアのステージは変更できません。"
NO_LIFF = "LIFF IDが設定されていないため、回答を配信できません。"
QUOTA_UNKNOWN = "LINEの配信数の上限を確認できませんでした。時間をおいてもう一度お試しください。"
THRESHOLD_RANGE = "必要な応援数は1〜100,000の間で指定してください。"
WINDOW_RANGE = "募集期間は1〜365日の間で指定してください。"
SETTINGS_SAVED = "応援数の目標と募集期間を保存しました（これから公開されるアイデアに適用されます）。"


def stage_changed(label: str, recipients: int | None) -> str:
    if recipients is None:
        return f"ステージを「{label}」に変更しました。"
    return f"ステージを「{label}」に変更し、公式回答の配信を開始します（現時点の対象 {recipients:,}人）。"


def chat_reply(url: str, mine: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    """The reply to 「アイデア」: the ideas page, and the stages of the member's latest ideas."""
    lines = ["みんなのアイデアを見たり、応援したり、新しいアイデアを投稿したりできます。", url]
    if mine:
        lines.append("\nあなたのアイデア:")
        lines += [f"・{title}（{stage}・応援{count:,}人）" for title, stage, count in mine]
    return [{"type": "text", "text": "\n".join(lines)[:5000]}]
