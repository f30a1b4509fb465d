"""What members and staff read about reviews (丁寧語), kept apart from the rules so it can be reviewed."""
from __future__ import annotations

BODY_MIN = 10
BODY_MAX = 1000
NAME_MAX = 100
CATEGORY_MAX = 50

# Members (LIFF)
TITLE = "レビュー"
NO_PRODUCTS = "レビューできる商品はまだありません。"
NO_REVIEWS = "まだレビューはありません。最初のレビューをお寄せください。"
PRODUCT_NOT_FOUND = "この商品は見つかりませんでした。掲載が終わった可能性があります。"
CHOOSE_STARS = "星の数を1〜5から選んでください。"
WRITE_BODY = f"レビューの本文を{BODY_MIN}文字以上でご記入ください。"
FORM_HAS_ERRORS = "入力内容をご確認ください。赤字の項目に直していただきたい点があります。"
BLOCKED_WORDS = "ご利用いただけない表現が含まれているため、投稿できませんでした。表現を見直してください。"
HELD = "ありがとうございます。レビューは担当者の確認後に公開されます。"
PUBLISHED = "レビューを公開しました。ありがとうございます。"
READ_ONLY = "現在、投稿や「参考になった」はご利用いただけません。"
HELPFUL_OWN = "ご自身のレビューには「参考になった」を付けられません。"
HELPFUL_GONE = "このレビューは表示されていません。"
HELPFUL_DONE = "「参考になった」をお送りしました。"
ANONYMOUS = "メンバー"
REPORT_OWN = "ご自身のレビューは通報できません。"
REPORTED = "ご報告ありがとうございます。担当者が確認いたします。"
REPORTED_ALREADY = "このレビューはすでにご報告いただいています。"

STATE_LABELS = {"published": "公開中", "held": "確認待ち", "hidden": "非公開", "blocked": "非公開"}
SORT_LABELS = {"new": "新しい順", "helpful": "参考になった順"}


def body_too_short(length: int) -> str:
    return f"{BODY_MIN}文字以上でご記入ください（現在{length:,}文字）。"


# Staff (console)
NAME_REQUIRED = "商品名を入力してください。"
NAME_TOO_LONG = f"商品名は{NAME_MAX}文字以内で入力してください。"
CATEGORY_TOO_LONG = f"カテゴリは{CATEGORY_MAX}文字以内で入力してください。"
PRODUCT_SAVED = "商品を保存しました。"
PRODUCT_CREATED = "商品を登録しました。"
PRODUCT_ARCHIVED = "商品をアーカイブしました。メンバーの一覧には表示されません。"
PRODUCT_RESTORED = "商品を掲載に戻しました。"
