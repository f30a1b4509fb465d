"""How the console shows audit log rows: the actor by name, the target as a Japanese label with a link to
its page, and before/after as rows of Japanese field names and readable values (times in JST). The raw
JSON stays available on the page; nothing here changes what is stored."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.admin import labels
from linecomm.admin.push_labels import CHOICE_KIND, DELIVERY_STATUS
from linecomm.audit.models import AuditEntry
from linecomm.members.models import Member, MemberStatus, Tag
from linecomm.moderation.models import ContentItem
from linecomm.moderation.ngwords import ACTION_LABELS as NG_ACTION_LABELS
from linecomm.pushes.copy import STATUS_LABELS as POST_STATUS
from linecomm.pushes.schedule import WEEKDAY_LABELS
from linecomm.pushes.segments import Segment
from linecomm.staff.models import StaffUser
from linecomm.staff.roles import ROLE_LABELS
from linecomm.text.quotes import quoted
from linecomm.themes.models import ThemeAnswer, ThemePost
from linecomm.timezones import format_jst

# The kinds of target the console records, as staff read them (also the filter's choices).
TARGET_TYPES = {
    "member": "メンバー",
    "theme_post": "テーマ投稿",
    "theme_answer": "回答",
    "content": "投稿",
    "staff": "スタッフ",
    "delivery": "配信",
    "step": "ステップ配信",
    "tag": "タグ",
    "invite_code": "招待コード",
    "ng_word": "NGワード",
    "push_policy": "配信ルール",
    "test_recipient": "テスト配信先",
    "settings": "設定",
}

FIELD_LABELS = {
    "email": "メールアドレス", "role": "役割", "is_active": "有効", "state": "状態", "status": "状態",
    "reason": "理由", "content_id": "対象の投稿", "tag": "タグ", "name": "名前", "members": "対象のメンバー数",
    "filter": "絞り込み条件", "q": "キーワード", "format": "形式", "cohort": "期", "posts": "投稿数",
    "images": "写真の数", "inbox_events": "受信イベント数", "outgoing_messages": "送信メッセージ数",
    "max_uses": "利用上限", "expires_at": "有効期限", "disabled": "無効", "used": "利用回数", "term": "語句",
    "action": "対応", "note": "メモ", "source": "取り込み元", "added": "追加", "updated": "更新",
    "errors": "エラー", "report_hide_threshold": "非表示にする通報数", "image_posts": "写真の投稿",
    "title": "タイトル", "segment": "配信対象", "choice_kind": "ボタン", "answers_open_at": "回答受付の開始",
    "answers_close_at": "回答受付の終了", "image": "画像", "voices": "みなさんの声（回答ID）",
    "kind": "タイミング", "starts_at": "配信開始", "weekday": "曜日", "day_of_month": "日",
    "time_of_day": "時刻", "recipients": "対象人数", "allow_partial": "上限の範囲で配信", "delivery_id": "配信ID",
    "post_id": "テーマ投稿ID", "days_after_join": "参加からの日数", "active": "有効",
    "quiet": "配信しない時間帯", "weekly_cap": "1週間の上限回数", "line_user_id": "LINEユーザーID",
    "label": "表示名",
    "sessions": "ログアウトした端末の数",
}
SCHEDULE_KIND = {"now": "今すぐ", "once": "日時を指定", "weekly": "毎週", "monthly": "毎月"}
IMAGE_POLICY = {"hold": "確認後に公開", "publish": "すぐに公開"}
IMPORT_SOURCE = {"defaults": "標準のリスト", "file": "CSVファイル"}
ACTORS = {"cli": "コマンドライン", "system": "システム"}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


@dataclass(frozen=True)
class Change:
    field: str  # the Japanese field name
    before: str | None  # None: the field is not in that side
    after: str | None


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    actor: str
    target: str  # "" when the action has no target
    target_url: str | None
    changes: list[Change]


def _when(text: str) -> str | None:
    """A stored time ("2026-05-01 03:00:00+00:00" or ISO) in JST; naive values were stored as UTC."""
    if not _DATETIME.match(text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return format_jst(value if value.tzinfo else value.replace(tzinfo=UTC))


def _codes(field: str, target_type: str | None) -> dict[Any, str] | None:
    if field == "status":
        return {"member": labels.MEMBER_STATUS, "theme_post": POST_STATUS, "delivery": DELIVERY_STATUS
                }.get(target_type or "", {**labels.MEMBER_STATUS, **POST_STATUS})
    return {"state": labels.CONTENT_STATE, "role": ROLE_LABELS, "action": NG_ACTION_LABELS, "kind": SCHEDULE_KIND,
            "choice_kind": CHOICE_KIND, "image_posts": IMAGE_POLICY, "source": IMPORT_SOURCE}.get(field)


def value_label(field: str, value: Any, target_type: str | None = None) -> str:
    """One stored before/after value as staff read it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return "、".join(value_label(field, v, target_type) for v in value) or "なし"
    if isinstance(value, dict):
        return "、".join(f"{FIELD_LABELS.get(k, k)}: {value_label(k, v, target_type)}" for k, v in value.items()) \
            or "なし"
    if field == "weekday" and isinstance(value, int) and 0 <= value < len(WEEKDAY_LABELS):
        return WEEKDAY_LABELS[value] + "曜日"
    if isinstance(value, int | float):
        return f"{value:,}"
    text = str(value)
    if field == "segment":
        try:
            return Segment.from_json(text).describe()
        except (ValueError, TypeError, KeyError):
            return text
    codes = _codes(field, target_type)
    if codes and text in codes:
        return codes[text]
    return _when(text) or text


def _side(raw: str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {"": raw}
    return value if isinstance(value, dict) else {"": value}


def changes_of(entry: AuditEntry) -> list[Change]:
    """Before and after, one row per field (fields in the order they first appear)."""
    before, after = _side(entry.before), _side(entry.after)
    rows = []
    for field in dict.fromkeys([*before, *after]):
        rows.append(Change(
            FIELD_LABELS.get(field, field) or "値",
            value_label(field, before[field], entry.target_type) if field in before else None,
            value_label(field, after[field], entry.target_type) if field in after else None,
        ))
    return rows


def _ids(entries: Iterable[AuditEntry], target_type: str) -> list[int]:
    return sorted({int(e.target_id) for e in entries
                   if e.target_type == target_type and e.target_id and e.target_id.isdigit()})


def _names(session: Session, entries: list[AuditEntry]) -> dict[str, dict[int, Any]]:
    """Per target type, what each target is called now (a few grouped lookups for the page's rows)."""
    def lookup(target_type: str, query: Callable[[list[int]], Any]) -> dict[int, Any]:
        ids = _ids(entries, target_type)
        return {row[0]: row[1:] for row in session.execute(query(ids)).all()} if ids else {}

    return {
        "member": lookup("member", lambda ids: select(Member.id, Member.nickname, Member.status)
                         .where(Member.id.in_(ids))),
        "theme_post": lookup("theme_post", lambda ids: select(ThemePost.id, ThemePost.title)
                             .where(ThemePost.id.in_(ids))),
        "theme_answer": lookup("theme_answer", lambda ids: select(ThemeAnswer.id, ThemeAnswer.post_id, ThemePost.title)
                               .join(ThemePost, ThemePost.id == ThemeAnswer.post_id).where(ThemeAnswer.id.in_(ids))),
        "content": lookup("content", lambda ids: select(ContentItem.id, ContentItem.kind)
                          .where(ContentItem.id.in_(ids))),
        "staff": lookup("staff", lambda ids: select(StaffUser.id, StaffUser.display_name)
                        .where(StaffUser.id.in_(ids))),
        "tag": lookup("tag", lambda ids: select(Tag.id, Tag.name).where(Tag.id.in_(ids))),
    }


def _target(entry: AuditEntry, names: dict[str, dict[int, Any]]) -> tuple[str, str | None]:
    kind, raw = entry.target_type, entry.target_id
    if not kind:
        return "", None
    label = TARGET_TYPES.get(kind, kind)
    if raw is None:
        return label, None
    key = int(raw) if raw.isdigit() else None
    known = names.get(kind, {}).get(key) if key is not None else None
    if kind == "member":
        if known and known[1] == MemberStatus.DELETED:
            name = f"{label}（削除済み・ID {raw}）"
        else:
            name = f"{label} {known[0]}さん" if known and known[0] else f"{label}（ID {raw}）"
        return name, url_for("admin.member", member_id=key) if key else None
    if kind == "theme_post":
        return (f"{label}{quoted(known[0])}" if known else f"{label}（ID {raw}）",
                url_for("admin.post_detail", post_id=key) if key else None)
    if kind == "theme_answer" and known:
        return (f"{quoted(known[1])}への{label}",
                url_for("admin.post_answers", post_id=known[0]) + f"#answer-{raw}")
    if kind == "content":
        kind_label = labels.CONTENT_KIND.get(known[0], label) if known else label
        return f"{kind_label}（ID {raw}）", url_for("admin.moderation_item", content_id=key) if key else None
    if kind == "staff":
        return (f"{label} {known[0]}" if known else f"{label}（ID {raw}）",
                url_for("admin.staff_list") + f"#staff-{raw}")
    if kind == "tag":
        return f"{label}{quoted(known[0])}" if known else f"{label}（ID {raw}）", url_for("admin.tag_list")
    if kind == "delivery" and key:
        return f"{label}（ID {raw}）", url_for("admin.delivery", delivery_id=key)
    if kind == "step":
        return f"{label}（ID {raw}）", url_for("admin.step_list")
    if kind == "invite_code":
        return f"{label} {raw}", url_for("admin.invite_list")
    if kind == "ng_word":
        return f"{label}（ID {raw}）", url_for("admin.ng_words")
    if kind in ("push_policy", "test_recipient"):
        return label, url_for("admin.push_settings")
    if kind == "settings":
        return f"{label}（{FIELD_LABELS.get(raw, raw)}）", url_for("admin.settings_page")
    return f"{label} {raw}", None


def lines(session: Session, entries: list[AuditEntry]) -> list[AuditLine]:
    """The page's rows, ready to show: who (by name), what, on which target (label and link), what changed."""
    names = _names(session, entries)
    staff_ids = sorted({e.staff_id for e in entries if e.staff_id is not None})
    staff = dict(session.execute(select(StaffUser.id, StaffUser.display_name)
                                 .where(StaffUser.id.in_(staff_ids))).all()) if staff_ids else {}
    out = []
    for entry in entries:
        actor = staff.get(entry.staff_id) if entry.staff_id is not None else None
        target, url = _target(entry, names)
        out.append(AuditLine(entry, actor or ACTORS.get(entry.staff_email, entry.staff_email), target, url,
                             changes_of(entry)))
    return out
