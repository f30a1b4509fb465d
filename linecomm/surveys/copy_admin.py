"""What the admin side of surveys says to staff (builder errors, results, announcements), in one place so
the wording can be reviewed without touching the rules. Members' copy is the member side's (copy.py)."""
from __future__ import annotations

KIND_LABELS = {
    "single": "単一選択",
    "multiple": "複数選択",
    "text": "自由記述",
    "rating": "5段階評価（1〜5）",
    "nps": "おすすめ度（NPS 0〜10）",
}
STATUS_LABELS = {"draft": "下書き", "scheduled": "公開予定", "open": "回答受付中", "closed": "終了"}
ANNOUNCEMENT_STATUS = {"scheduled": "予約中", "starting": "準備中", "sending": "配信中", "paused": "一時停止",
                       "sent": "配信済み", "failed": "失敗", "cancelled": "中止"}

# ---- builder -------------------------------------------------------------------------------------------
TITLE = "タイトルは1〜100文字で入力してください。"
DESCRIPTION = "説明は2,000文字以内にしてください。"
THANK_YOU = "お礼のメッセージは1,000文字以内にしてください。"
PERIOD_ORDER = "回答期間の終了は開始より後にしてください。"
PERIOD_PAST = "回答期間の終了がすでに過ぎています。終了日時を先に延ばしてください。"
NO_QUESTIONS = "質問を1つ以上入れてください。"
TOO_MANY_QUESTIONS = "質問は50個までです。"
KIND = "質問の種類を選んでください。"
PROMPT = "質問文は1〜300文字で入力してください。"
HELP_TEXT = "補足は300文字以内にしてください。"
FEW_CHOICES = "選択肢を2つ以上入れてください。"
TOO_MANY_CHOICES = "選択肢は30個までです。"
CHOICE_LABEL = "選択肢は1〜100文字で入力してください。"
DUPLICATE_CHOICE = "同じ選択肢が2回入っています。"
CHOICES_ON_OTHER_KIND = "選択肢は「単一選択」「複数選択」の質問にだけ設定できます。"
BRANCH_BACKWARD = "表示の条件には、この質問より前の質問の選択肢を指定してください。"
BRANCH_NOT_CHOICE = "表示の条件に指定できるのは、単一選択・複数選択の質問の選択肢です。"
BRANCH_UNKNOWN = "表示の条件の選択肢が見つかりません。選び直してください。"
STRUCTURE_LOCKED = ("回答が集まっているため、質問や選択肢の数・種類・必須・表示の条件・タグ・配信対象は変更できません。"
                    "文言と回答期間だけ変更できます。")
NOT_DRAFT = "公開済みのアンケートです。"
ALREADY_CLOSED = "このアンケートはすでに終了しています。"
NOT_PUBLISHED = "まだ公開されていないアンケートです。先に公開してください。"
NOT_FOUND = "アンケートが見つかりません。"
SUMMARY = "入力内容を確認してください。"


def tag_error(message: str) -> str:
    return f"タグ：{message}"


def unknown_tags(names: list[str]) -> str:
    return "配信対象に存在しないタグが指定されています: " + "、".join(names)


def saved(title: str, created_tags: list[str]) -> str:
    note = f"（新しいタグ {'、'.join(created_tags)} を作成しました）" if created_tags else ""
    return f"アンケート「{title}」を保存しました。{note}"


def published(title: str) -> str:
    return f"アンケート「{title}」を公開しました。お知らせを配信すると、メンバーに届きます。"


def closed(title: str) -> str:
    return f"アンケート「{title}」の回答受付を終了しました。"


# ---- announcements -------------------------------------------------------------------------------------
ANNOUNCE_MESSAGE = "お知らせの本文を1〜1,000文字で入力してください。"
ANNOUNCE_NOT_OPEN = "公開中で、受付が終わっていないアンケートだけお知らせできます。"
ANNOUNCE_WHEN = "配信のタイミングを選んでください。"
ANNOUNCE_AT = "配信する日時を入力してください（例：2026-12-01 10:00）。"
ANNOUNCE_PAST = "過去の日時には予約できません。"
ANNOUNCE_AFTER_CLOSE = "回答期間が終わったあとには予約できません。"
ANNOUNCE_NO_LIFF = "LIFF IDが設定されていないため、アンケートのリンクを作れません（環境変数 LIFF_ID）。"
ANNOUNCE_QUOTA_UNKNOWN = ("LINEから今月の残り配信可能数を取得できなかったため、予約しませんでした。"
                          "時間をおいてもう一度お試しください。")
BUTTON_LABEL = "回答する"
CANCELLED = "お知らせの配信予約を取り消しました。"
CANNOT_CANCEL = "配信が始まったお知らせは取り消せません。配信の詳細ページから中止してください。"


def default_announcement(title: str) -> str:
    return f"アンケート「{title}」へのご協力をお願いします。下のボタンから回答できます。"


def announced(kind: str, when: str, recipients: int) -> str:
    if kind == "now":
        return f"お知らせの配信を開始します（現時点の対象 {recipients:,}人）。"
    return f"{when} にお知らせの配信を予約しました（現時点の対象 {recipients:,}人）。"


# ---- results and export --------------------------------------------------------------------------------
REDACTED = "（削除済み）"
NO_ANSWER = "（回答なし）"
NPS_GROUPS = {"promoters": "推奨者（9〜10）", "passives": "中立者（7〜8）", "detractors": "批判者（0〜6）"}
