"""Japanese labels the console shows for stored codes (statuses, states, actions)."""
from __future__ import annotations

from linecomm.audit.service import ACTION_LABELS
from linecomm.members.models import MemberStatus
from linecomm.moderation.models import ContentKind, ContentState, ReviewReason, SanctionKind
from linecomm.moderation.ngwords import ACTION_LABELS as NG_ACTION_LABELS

MEMBER_STATUS = {
    MemberStatus.MEMBER: "メンバー",
    MemberStatus.JOINING: "参加手続き中",
    MemberStatus.FOLLOWER: "友だち（未参加）",
    MemberStatus.LEFT: "退会",
    MemberStatus.SUSPENDED: "利用停止中",
    MemberStatus.DELETED: "削除済み",
}
CONTENT_STATE = {
    ContentState.PUBLISHED: "公開中",
    ContentState.HELD: "承認待ち",
    ContentState.HIDDEN: "非表示",
    ContentState.BLOCKED: "投稿拒否",
}
REVIEW_REASON = {ReviewReason.HELD: "承認待ち", ReviewReason.FLAGGED: "要確認", ReviewReason.REPORTED: "通報あり",
                 ReviewReason.IMAGE: "写真の確認", ReviewReason.PERSONAL_DATA: "個人情報",
                 ReviewReason.FARMING: "ポイント対象外"}
CONTENT_KIND = {
    ContentKind.THEME_REPLY: "テーマへの回答",
    ContentKind.REVIEW: "レビュー",
    ContentKind.IDEA: "アイデア",
    ContentKind.COMMENT: "コメント",
    ContentKind.SURVEY: "アンケートの回答",
    ContentKind.QUESTION: "Q&Aの質問",
    ContentKind.ANSWER: "Q&Aの回答",
}
DECISION = {
    "submitted": "投稿",
    "auto_hidden": "通報により自動で非表示",
    "member_hidden": "コミュニティモデレーターが非表示（確認待ち）",
    "approved": "承認",
    "ng_word_hidden": "NGワード追加により非表示",
    "ng_word_held": "NGワード追加により承認待ち",
    "ng_word_flagged": "NGワード追加により要確認",
    "hidden": "非表示",
    "erased": "メンバーデータ削除",
}
SANCTION = {SanctionKind.WARN: "警告", SanctionKind.SUSPEND: "利用停止", SanctionKind.LIFT: "利用停止の解除"}
BLOCKED_REASON = {"ng_word": "NGワード", "suspended": "利用停止中", "not_member": "メンバーではない"}

FILTERS = {
    "member_status": MEMBER_STATUS,
    "content_state": CONTENT_STATE,
    "review_reason": REVIEW_REASON,
    "content_kind": CONTENT_KIND,
    "decision": DECISION,
    "sanction": SANCTION,
    "ng_action": NG_ACTION_LABELS,
    "audit_action": ACTION_LABELS,
    "blocked_reason": BLOCKED_REASON,
}


def make_filter(table: dict[str, str]):  # type: ignore[no-untyped-def]
    def label(value: str | None) -> str:
        return "" if value is None else table.get(value, value)

    return label
