"""Badges: what a member holds (each badge once), awarding and revoking by code, and the catalogue marketers
edit. Declarative badges are granted by linecomm.points.badge_grants (in the action's transaction, and by
the periodic pass as a safety net); this module is the contract other features call:

- `award(session, member_id, code, by=, reason=, now=)` grants a manual or title badge (any badge, by its
  code: `ambassador`, `member_moderator`, a manual badge's generated `m-…` code) and returns True when it
  was newly granted (or restored after a revoke), False when the member already held it. Quiet: nothing is
  sent to the member (my page marks it NEW for 7 days; title badges are announced by their feature).
- `revoke(session, member_id, code, by=, reason=, now=)` takes it away (the row is kept, marked revoked, so
  the periodic pass never grants it again); True when the member held it.
- `badges_of(session, member_id)` lists the badges the member holds, as my page shows them.

Both raise BadgeError (a ValueError with a Japanese message) for an unknown code or member or a missing
reason. Functions only flush; the caller commits.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, literal, select, union_all, update
from sqlalchemy.orm import Session

from linecomm.db import insert_ignoring_conflicts, utcnow
from linecomm.members.models import Member
from linecomm.points import badge_rules
from linecomm.points.badge_models import Badge, BadgeKind, MemberBadge

NEW_FOR = timedelta(days=7)
NAME_MAX = 40
DESCRIPTION_MAX = 200
REASON_MAX = 200
EMOJI_MAX = 8
THRESHOLD_MAX = {BadgeKind.COUNT: 10_000, BadgeKind.STREAK: 36}
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
DEFAULT_COLOUR = "#06C755"


class BadgeError(ValueError):
    """A badge change that cannot be made (the message is Japanese, for the form or the caller)."""


@dataclass(frozen=True)
class HeldBadge:
    code: str
    kind: str
    name: str
    description: str
    emoji: str | None
    colour: str | None
    granted_at: datetime
    new: bool  # granted in the last NEW_FOR


def ensure_builtins(session: Session, codes: Iterable[str] | None = None) -> None:
    """Write the built-in badges (all, or those named) that `badges` does not hold yet, in one statement
    that inserts nothing once they are there (a concurrent writer is absorbed by ON CONFLICT)."""
    wanted = [b for b in badge_rules.BUILTINS if codes is None or b.code in set(codes)]
    if not wanted:
        return
    table = Badge.__table__
    names = ["code", "kind", "name", "description", "emoji", "colour", "action_kind", "threshold", "enabled",
             "position", "created_by", "created_at", "updated_at"]
    now = utcnow()
    rows = []
    for builtin in wanted:
        values = {**builtin.row(badge_rules.POSITIONS[builtin.code]), "created_at": now, "updated_at": now}
        rows.append(select(*(literal(values[n], table.c[n].type).label(n) for n in names)))
    source = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("builtin")
    pick = select(*(source.c[n] for n in names)).where(~exists(select(table.c.id).where(table.c.code == source.c.code)))
    session.execute(insert_ignoring_conflicts(session, table, ["code"]).from_select(names, pick))


def badge_by_code(session: Session, code: str) -> Badge | None:
    if code in badge_rules.BY_CODE:
        ensure_builtins(session, [code])
    return session.scalar(select(Badge).where(Badge.code == code))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BadgeError("理由を入力してください。")
    if len(reason) > REASON_MAX:
        raise BadgeError(f"理由は{REASON_MAX}文字以内で入力してください。")
    return reason


def _badge_for_change(session: Session, member_id: int, code: str) -> Badge:
    badge = badge_by_code(session, code)
    if badge is None:
        raise BadgeError("バッジが見つかりません。")
    if session.get(Member, member_id) is None:
        raise BadgeError("会員が見つかりません。")
    return badge


def award(session: Session, member_id: int, code: str, *, by: str, reason: str, now: datetime) -> bool:
    """Grant the badge `code` to the member once (see the module's docstring). True when newly granted or
    restored after a revoke; False when already held."""
    reason = _reason(reason)
    badge = _badge_for_change(session, member_id, code)
    table = MemberBadge.__table__
    made = session.execute(
        insert_ignoring_conflicts(session, table, ["member_id", "badge_id"])
        .values(member_id=member_id, badge_id=badge.id, granted_at=now, granted_by=by[:200], reason=reason)
        .returning(table.c.id)).scalar()
    if made is not None:
        return True
    restored = session.execute(
        update(MemberBadge).where(MemberBadge.member_id == member_id, MemberBadge.badge_id == badge.id,
                                  MemberBadge.revoked_at.is_not(None))
        .values(revoked_at=None, revoked_by=None, revoke_reason=None, granted_at=now, granted_by=by[:200],
                reason=reason).returning(MemberBadge.id)
        .execution_options(synchronize_session=False)).scalar()
    return restored is not None


def revoke(session: Session, member_id: int, code: str, *, by: str, reason: str, now: datetime) -> bool:
    """Take the badge `code` from the member (the row stays, marked revoked). True when they held it."""
    reason = _reason(reason)
    badge = _badge_for_change(session, member_id, code)
    revoked = session.execute(
        update(MemberBadge).where(MemberBadge.member_id == member_id, MemberBadge.badge_id == badge.id,
                                  MemberBadge.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=by[:200], revoke_reason=reason).returning(MemberBadge.id)
        .execution_options(synchronize_session=False)).scalar()
    return revoked is not None


def badges_of(session: Session, member_id: int, now: datetime | None = None) -> list[HeldBadge]:
    """The badges the member holds (not revoked; badges switched off are not shown), in catalogue order,
    each marked `new` when granted in the last 7 days."""
    now = now or utcnow()
    rows = session.execute(
        select(Badge, MemberBadge.granted_at).join(MemberBadge, MemberBadge.badge_id == Badge.id)
        .where(MemberBadge.member_id == member_id, MemberBadge.revoked_at.is_(None), Badge.enabled.is_(True))
        .order_by(Badge.position, MemberBadge.granted_at, Badge.id)).all()
    return [HeldBadge(b.code, b.kind, b.name, b.description, b.emoji, b.colour, at, at > now - NEW_FOR)
            for b, at in rows]


def catalogue(session: Session) -> list[Badge]:
    """Every badge: the rows in `badges` and, for built-ins not written yet, their defaults (transient
    objects, never added to the session: a reader session can show them)."""
    rows = list(session.scalars(select(Badge).order_by(Badge.position, Badge.id)))
    have = {b.code for b in rows}
    missing = [Badge(id=None, **b.row(badge_rules.POSITIONS[b.code])) for b in badge_rules.BUILTINS
               if b.code not in have]
    return sorted(rows + missing, key=lambda b: (b.position, b.id or 0))


def held_rows(session: Session, member_id: int) -> list[tuple[Badge, MemberBadge]]:
    """The member's badge rows with their badges, revoked ones too (the console shows who did what)."""
    return [(b, mb) for b, mb in session.execute(
        select(Badge, MemberBadge).join(MemberBadge, MemberBadge.badge_id == Badge.id)
        .where(MemberBadge.member_id == member_id).order_by(Badge.position, Badge.id)).all()]


def holder_counts(session: Session) -> dict[int, int]:
    return {badge_id: n for badge_id, n in session.execute(
        select(MemberBadge.badge_id, func.count()).where(MemberBadge.revoked_at.is_(None))
        .group_by(MemberBadge.badge_id)).all()}


def _text(value: str, what: str, limit: int, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise BadgeError(f"{what}を入力してください。")
    if len(value) > limit:
        raise BadgeError(f"{what}は{limit}文字以内で入力してください。")
    return value


def _look(emoji: str, colour: str) -> tuple[str | None, str | None]:
    emoji = _text(emoji, "絵文字", EMOJI_MAX, required=False)
    colour = (colour or "").strip()
    if colour and not COLOUR.fullmatch(colour):
        raise BadgeError("色は #RRGGBB の形式で入力してください。")
    return emoji or None, colour or (None if emoji else DEFAULT_COLOUR)


def create_manual(session: Session, name: str, description: str, emoji: str, colour: str, by: str,
                  now: datetime) -> Badge:
    """A badge marketers award by hand, with a generated code (`m-` and 10 hex digits)."""
    name = _text(name, "バッジ名", NAME_MAX, required=True)
    description = _text(description, "説明", DESCRIPTION_MAX, required=False)
    emoji_value, colour_value = _look(emoji, colour)
    badge = Badge(code=f"m-{uuid.uuid4().hex[:10]}", kind=BadgeKind.MANUAL, name=name, description=description,
                  emoji=emoji_value, colour=colour_value, enabled=True, position=1000, created_by=by[:200],
                  created_at=now, updated_at=now)
    session.add(badge)
    session.flush()
    return badge


def snapshot(badge: Badge) -> dict[str, Any]:
    return {"name": badge.name, "description": badge.description, "emoji": badge.emoji, "colour": badge.colour,
            "threshold": badge.threshold, "enabled": badge.enabled}


def edit(session: Session, code: str, *, name: str, description: str, enabled: bool, threshold: int | None,
         emoji: str, colour: str, now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change a declarative or manual badge (title badges belong to their feature). Returns (before, after)
    for the audit log. A new threshold applies from then on: badges already earned stay."""
    badge = badge_by_code(session, code)
    if badge is None or badge.kind == BadgeKind.TITLE:
        raise BadgeError("このバッジは編集できません。")
    before = snapshot(badge)
    badge.name = _text(name, "バッジ名", NAME_MAX, required=True)
    badge.description = _text(description, "説明", DESCRIPTION_MAX, required=False)
    badge.enabled = enabled
    if badge.kind in THRESHOLD_MAX:
        low = 2 if badge.kind == BadgeKind.STREAK else 1
        if threshold is None or not low <= threshold <= THRESHOLD_MAX[badge.kind]:
            raise BadgeError(f"条件の回数は{low}〜{THRESHOLD_MAX[badge.kind]:,}の整数で入力してください。")
        badge.threshold = threshold
    if badge.kind == BadgeKind.MANUAL or emoji.strip() or colour.strip():  # a built-in keeps its emoji if left empty
        badge.emoji, badge.colour = _look(emoji, colour)
    badge.updated_at = now
    session.flush()
    return before, snapshot(badge)
