"""Record and read the audit log. Recording happens in the same transaction as the action it describes,
so an action and its audit row commit (or roll back) together."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.audit.models import AuditEntry
from linecomm.db import utcnow


@dataclass(frozen=True)
class Actor:
    """Who did it: a staff member of the console, or the CLI / the system (staff_id None)."""

    staff_id: int | None
    email: str
    address: str | None = None


CLI = Actor(None, "cli")
SYSTEM = Actor(None, "system")

# What the console shows for each action (Japanese); unknown actions show their code.
ACTION_LABELS = {
    "auth.sign_in": "ログイン",
    "auth.sign_out": "ログアウト",
    "auth.password_change": "パスワード変更",
    "auth.sign_out_everywhere": "すべての端末からログアウト",
    "staff.create": "スタッフ追加",
    "staff.update": "スタッフ変更",
    "staff.unlock": "ロック解除",
    "staff.password_reset": "パスワード再設定",
    "staff.sign_out_everywhere": "スタッフをすべての端末からログアウト",
    "staff.line_link": "LINEアカウントの連携",
    "staff.line_unlink": "LINEアカウントの連携解除",
    "staff.line_code": "LINE連携コードの発行",
    "staff.weekly_summary": "週次サマリーの受け取り設定",
    "invite.create": "招待コード作成",
    "invite.disable": "招待コード無効化",
    "tag.create": "タグ作成",
    "tag.delete": "タグ削除",
    "tag.assign": "タグ付与",
    "tag.remove": "タグ解除",
    "tag.bulk_assign": "タグ一括付与",
    "tag.bulk_remove": "タグ一括解除",
    "member.export": "メンバーデータ開示",
    "member.delete": "メンバーデータ削除",
    "member.warn": "メンバーへ警告",
    "member.suspend": "メンバーの利用停止",
    "member.unsuspend": "利用停止の解除",
    "content.approve": "投稿を承認",
    "content.hide": "投稿を非表示",
    "content.member_hide": "コミュニティモデレーターが投稿を非表示",
    "appointments.rules": "アンバサダー候補の条件変更",
    "appointments.appoint": "アンバサダー・モデレーターの任命",
    "appointments.revoke": "アンバサダー・モデレーターの解任",
    "points.rule": "ポイントルールの変更",
    "points.grant_member": "ポイントの手動付与・減算（メンバー）",
    "points.grant_segment": "ポイントの手動付与・減算（一括）",
    "points.farming": "ポイント対象外とする投稿の設定",
    "points.ranks": "ランクの基準の変更",
    "points.rank_menu": "特典メニューの設定",
    "badges.create": "バッジの作成",
    "badges.edit": "バッジの変更",
    "badges.award": "バッジの付与",
    "badges.revoke": "バッジの取り消し",
    "idea.settings": "アイデアの設定変更",
    "idea.stage": "アイデアのステージ変更",
    "idea.export": "アイデアのCSV出力",
    "qa.best_answer": "ベストアンサーの選択",
    "qa.brand_answer": "公式回答",
    "qa.faq_promote": "FAQへの追加",
    "qa.faq_update": "FAQの編集",
    "review_product.create": "レビュー商品の追加",
    "review_product.update": "レビュー商品の編集",
    "review_product.archive": "レビュー商品の掲載終了",
    "review_product.restore": "レビュー商品の掲載再開",
    "ngword.create": "NGワード追加",
    "ngword.update": "NGワード変更",
    "ngword.delete": "NGワード削除",
    "ngword.import": "NGワード取り込み",
    "ngword.apply": "NGワードを公開中の投稿に適用",
    "settings.update": "設定変更",
    "post.create": "テーマ投稿の作成",
    "post.update": "テーマ投稿の編集",
    "post.schedule": "配信の予約",
    "post.cancel": "配信予約の取り消し",
    "post.test": "テスト配信",
    "delivery.pause": "配信の一時停止",
    "delivery.resume": "配信の再開",
    "delivery.stop": "配信の中止",
    "step.create": "ステップ配信の追加",
    "step.enable": "ステップ配信の再開",
    "step.disable": "ステップ配信の停止",
    "push.policy": "配信ルールの変更",
    "push.test_recipient_add": "テスト配信先の追加",
    "push.test_recipient_remove": "テスト配信先の削除",
    "answer.feature": "回答のピックアップ",
    "answer.unfeature": "ピックアップの解除",
    "answer.export": "回答のCSV書き出し",
    "survey.create": "アンケートの作成",
    "survey.update": "アンケートの編集",
    "survey.publish": "アンケートの公開",
    "survey.close": "アンケートの受付終了",
    "survey.export": "アンケート回答のCSV書き出し",
    "survey.announce": "アンケートのお知らせ配信",
    "survey.announce_cancel": "アンケートのお知らせ取り消し",
}


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    before: Any = None,
    after: Any = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one audit row for `action` by `actor` on a target, with before/after values as JSON."""
    entry = AuditEntry(
        at=now or utcnow(),
        staff_id=actor.staff_id,
        staff_email=actor.email[:254],
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:64],
        before=_json(before),
        after=_json(after),
        address=(actor.address or None) and actor.address[:64],
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    staff_id: int | None = None
    action: str | None = None  # an exact action, or a prefix ending in "." ("member.")
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(session: Session, flt: AuditFilter, before_id: int | None = None, limit: int = 50) -> list[AuditEntry]:
    """Newest first, `limit` rows older than `before_id` (keyset pagination)."""
    stmt = select(AuditEntry)
    if flt.staff_id is not None:
        stmt = stmt.where(AuditEntry.staff_id == flt.staff_id)
    if flt.action:
        if flt.action.endswith("."):
            stmt = stmt.where(AuditEntry.action.startswith(flt.action, autoescape=True))
        else:
            stmt = stmt.where(AuditEntry.action == flt.action)
    if flt.target_type:
        stmt = stmt.where(AuditEntry.target_type == flt.target_type)
    if flt.target_id:
        stmt = stmt.where(AuditEntry.target_id == flt.target_id)
    if flt.since is not None:
        stmt = stmt.where(AuditEntry.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEntry.at < flt.until)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit)))


def decode(value: str | None) -> Any:
    return None if value is None else json.loads(value)
