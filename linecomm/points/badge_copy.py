"""Japanese copy for badges (丁寧語): my page and the console."""
from __future__ import annotations

from linecomm.points import rules
from linecomm.points.badge_models import BadgeKind

TITLE = "バッジ"
NONE_YET = "まだバッジはありません。テーマへの回答やレビューなどでバッジがもらえます。"
NEW = "NEW"
CREATED = "バッジ「{name}」を作成しました。"
SAVED = "バッジ「{name}」を保存しました。"
AWARDED = "バッジ「{name}」を付与しました。"
REVOKED = "バッジ「{name}」を取り消しました。"
UNCHANGED = "バッジ「{name}」は変更ありません（すでにその状態です）。"
UNKNOWN_BADGE = "バッジが見つかりません。"
BAD_THRESHOLD = "条件の回数は半角の整数で入力してください。"
TITLE_ELSEWHERE = "称号のバッジはアンバサダーの画面で任命・解除してください。"
KIND_LABELS = {BadgeKind.COUNT: "行動の回数", BadgeKind.STREAK: "連続参加", BadgeKind.TITLE: "称号",
               BadgeKind.MANUAL: "手動"}


def action_labels() -> dict[str, str]:
    return dict(rules.LABELS)


def remaining(kind: str, left: int) -> str:
    """「あと3回」 / 「あと1か月」: what is left to earn a declarative badge (0: reached, granted shortly)."""
    if left <= 0:
        return "まもなく獲得"
    return f"あと{left:,}か月" if kind == BadgeKind.STREAK else f"あと{left:,}回"


def condition(kind: str, action_kind: str | None, threshold: int | None) -> str:
    """The condition as a member reads it: 「テーマへの回答 10回」, 「3か月連続で参加」."""
    if kind == BadgeKind.STREAK:
        return f"{threshold}か月連続で参加"
    if kind == BadgeKind.COUNT:
        return f"{rules.label_of(action_kind)} {threshold:,}回" if threshold else rules.label_of(action_kind)
    return ""
