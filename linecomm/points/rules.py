"""The points rules: per action kind an amount, an optional daily cap per member (JST day) and an optional
expiry in months. Marketers change them in the admin page; each change is a new version that applies from
then on (grants store the version they followed). Kinds nobody has set yet follow the built-in defaults
(version 0)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.points.models import PointRule

RULES_MEMO = "points.rules"
MAX_AMOUNT = 100_000
MAX_MONTHS = 120


@dataclass(frozen=True)
class Rule:
    action_kind: str
    amount: int
    daily_cap: int | None
    expiry_months: int | None
    version: int  # 0: the built-in default


# Japanese labels, in the order the admin page lists them, with the built-in amounts.
KINDS: tuple[tuple[str, str, int], ...] = (
    (ActionKind.THEME_ANSWER, "テーマへの回答", 10),
    (ActionKind.REACTION, "リアクション", 1),
    (ActionKind.VOTE, "投票", 2),
    (ActionKind.SURVEY_RESPONSE, "アンケートへの回答", 20),
    (ActionKind.REVIEW_PUBLISHED, "レビューの公開", 50),
    (ActionKind.HELPFUL_RECEIVED, "レビューが「参考になった」と評価された", 5),
    (ActionKind.IDEA_SUBMITTED, "アイデアの投稿", 30),
    (ActionKind.IDEA_SUPPORTED, "アイデアへの応援", 2),
    (ActionKind.IDEA_ADOPTED, "アイデアの採用", 500),
    (ActionKind.ANSWER_GIVEN, "Q&Aへの回答", 10),
    (ActionKind.BEST_ANSWER, "ベストアンサーに選ばれた", 50),
    (ActionKind.REFERRAL_JOINED, "紹介した友だちの入会", 100),
)
LABELS = {kind: label for kind, label, _ in KINDS}
DEFAULT_AMOUNTS = {kind: amount for kind, _, amount in KINDS}


def label_of(kind: str | None) -> str:
    return LABELS.get(kind or "", kind or "")


def current_rules(session: Session) -> dict[str, Rule]:
    """The rule in force for every known kind (one query; remembered for the transaction)."""
    memo = session.info.get(RULES_MEMO)
    if memo is not None:
        return memo
    newest = select(PointRule.action_kind, func.max(PointRule.version).label("version")).group_by(
        PointRule.action_kind).subquery()
    rows = session.scalars(select(PointRule).join(
        newest, (PointRule.action_kind == newest.c.action_kind) & (PointRule.version == newest.c.version)))
    rules = {kind: Rule(kind, amount, None, None, 0) for kind, amount in DEFAULT_AMOUNTS.items()}
    for row in rows:
        rules[row.action_kind] = Rule(row.action_kind, row.amount, row.daily_cap, row.expiry_months, row.version)
    session.info[RULES_MEMO] = rules
    return rules


def rule_for(session: Session, kind: str) -> Rule:
    return current_rules(session).get(kind) or Rule(kind, 0, None, None, 0)


class RuleError(ValueError):
    """A rule a marketer entered that cannot be kept (the message is Japanese, for the form)."""


def set_rule(session: Session, kind: str, amount: int, daily_cap: int | None, expiry_months: int | None,
             created_by: str | None) -> tuple[Rule, Rule]:
    """Add a new version of the kind's rule (it applies from now on); returns (before, after)."""
    if kind not in LABELS:
        raise RuleError("対象の行動が見つかりません。")
    if not 0 <= amount <= MAX_AMOUNT:
        raise RuleError(f"ポイントは0〜{MAX_AMOUNT:,}の整数で入力してください。")
    if daily_cap is not None and not 0 <= daily_cap <= MAX_AMOUNT:
        raise RuleError(f"1日の上限は0〜{MAX_AMOUNT:,}の整数で入力してください。")
    if expiry_months is not None and not 1 <= expiry_months <= MAX_MONTHS:
        raise RuleError(f"有効期限は1〜{MAX_MONTHS}か月で入力してください。")
    before = rule_for(session, kind)
    row = PointRule(action_kind=kind, version=before.version + 1, amount=amount, daily_cap=daily_cap,
                    expiry_months=expiry_months, created_by=created_by, created_at=utcnow())
    session.add(row)
    session.flush()
    session.info.pop(RULES_MEMO, None)
    return before, rule_for(session, kind)


def history(session: Session, limit: int = 50) -> list[PointRule]:
    return list(session.scalars(select(PointRule).order_by(PointRule.id.desc()).limit(limit)))
