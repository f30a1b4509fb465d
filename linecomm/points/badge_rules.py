"""The built-in badges, as data: a declarative badge is a row here (an action kind and a threshold, or a
number of consecutive JST months), never code of its own. They are written to `badges` the first time they
are needed (linecomm.points.badges.ensure_builtins); from then on marketers switch them on and off and edit
the name, description and threshold in the console, and the row wins over this table."""
from __future__ import annotations

from dataclasses import dataclass

from linecomm.actions.service import ActionKind
from linecomm.points.badge_models import BadgeKind

AMBASSADOR = "ambassador"
MEMBER_MODERATOR = "member_moderator"


@dataclass(frozen=True)
class BuiltinBadge:
    code: str
    kind: str  # BadgeKind
    name: str
    description: str
    emoji: str
    action_kind: str | None = None
    threshold: int | None = None

    def row(self, position: int) -> dict[str, object]:
        return {"code": self.code, "kind": self.kind, "name": self.name, "description": self.description,
                "emoji": self.emoji, "colour": None, "action_kind": self.action_kind, "threshold": self.threshold,
                "enabled": True, "position": position, "created_by": "built-in"}


BUILTINS: tuple[BuiltinBadge, ...] = (
    BuiltinBadge("first_theme_answer", BadgeKind.COUNT, "はじめての回答", "テーマにはじめて回答しました。", "💬",
                 ActionKind.THEME_ANSWER, 1),
    BuiltinBadge("theme_answers_10", BadgeKind.COUNT, "テーマ回答10回", "テーマに10回回答しました。", "🗣️",
                 ActionKind.THEME_ANSWER, 10),
    BuiltinBadge("first_review", BadgeKind.COUNT, "はじめてのレビュー", "はじめてのレビューを公開しました。", "✍️",
                 ActionKind.REVIEW_PUBLISHED, 1),
    BuiltinBadge("helpful_reviews_5", BadgeKind.COUNT, "参考になるレビュー",
                 "レビューが5回「参考になった」と評価されました。", "👍", ActionKind.HELPFUL_RECEIVED, 5),
    BuiltinBadge("survey_answers_5", BadgeKind.COUNT, "アンケート5回", "アンケートに5回ご協力いただきました。", "📝",
                 ActionKind.SURVEY_RESPONSE, 5),
    BuiltinBadge("first_idea", BadgeKind.COUNT, "はじめてのアイデア", "はじめてアイデアを投稿しました。", "🌱",
                 ActionKind.IDEA_SUBMITTED, 1),
    BuiltinBadge("idea_adopted", BadgeKind.COUNT, "アイデア採用", "投稿したアイデアが採用されました。", "💡",
                 ActionKind.IDEA_ADOPTED, 1),
    BuiltinBadge("best_answer", BadgeKind.COUNT, "ベストアンサー", "回答がベストアンサーに選ばれました。", "🏅",
                 ActionKind.BEST_ANSWER, 1),
    BuiltinBadge("first_referral", BadgeKind.COUNT, "お友だち紹介", "ご紹介いただいた方が参加されました。", "🤝",
                 ActionKind.REFERRAL_JOINED, 1),
    BuiltinBadge("active_3_months", BadgeKind.STREAK, "3か月連続参加", "3か月続けて毎月参加しました。", "🔥",
                 None, 3),
    BuiltinBadge(AMBASSADOR, BadgeKind.TITLE, "公認アンバサダー", "ブランド公認のアンバサダーです。", "👑"),
    BuiltinBadge(MEMBER_MODERATOR, BadgeKind.TITLE, "コミュニティモデレーター",
                 "コミュニティの見守りにご協力いただいています。", "🛡️"),
)
BY_CODE = {b.code: b for b in BUILTINS}
POSITIONS = {b.code: i * 10 for i, b in enumerate(BUILTINS)}
