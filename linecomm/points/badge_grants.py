"""Declarative badges, granted by set-based SQL: each is one INSERT ... SELECT ... ON CONFLICT DO NOTHING
over `member_actions`, so a badge is granted once however often it is evaluated.

- In the action's transaction (`on_actions`, an actions.BATCH_LISTENERS entry): the COUNT badges of the
  batch's action kinds, for the batch's members: two statements whatever the batch's size; and when
  moderation publishes content held for review (`on_content_moved`), for the actions on it.
- By the periodic pass (`grant_missed`, linecomm.points.badge_jobs): every COUNT badge for every member (a
  safety net for anything missed: a badge switched on later, a threshold lowered, content approved after
  moderation) and the STREAK badges (an action in each of N consecutive JST months).

An action counts while it is not withdrawn and its content, if any, is published. A badge once earned stays
earned: a withdrawn action or content hidden later does not take it back (only a marketer's revoke does,
and a revoked badge is never granted again by these passes).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, cast, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from linecomm.actions import service as actions
from linecomm.actions.models import MemberAction
from linecomm.db import dialect_name, insert_ignoring_conflicts, one_of
from linecomm.moderation import seams
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.points import badge_rules, badges
from linecomm.points.badge_models import Badge, BadgeKind, MemberBadge
from linecomm.timezones import JST

COUNT_KINDS = {b.action_kind for b in badge_rules.BUILTINS if b.kind == BadgeKind.COUNT}


def _counted() -> list[ColumnElement[bool]]:
    """The actions that count: not withdrawn, their content (if any) visible to members."""
    return [MemberAction.withdrawn_at.is_(None),
            or_(MemberAction.content_id.is_(None),
                and_(ContentItem.state == ContentState.PUBLISHED, ContentItem.redacted_at.is_(None)))]


def _insert(session: Session, source: Any) -> int:
    stmt = insert_ignoring_conflicts(session, MemberBadge.__table__, ["member_id", "badge_id"]).from_select(
        ["member_id", "badge_id", "granted_at"], source).returning(MemberBadge.__table__.c.id)
    return len(session.execute(stmt).all())


def grant_counts(session: Session, now: datetime, member_ids: list[int] | None = None,
                 kinds: list[str] | None = None) -> int:
    """Grant every enabled COUNT badge whose threshold the member's counted actions reach (only the members
    and action kinds named, when named). One statement; returns how many badges were granted."""
    where = [Badge.kind == BadgeKind.COUNT, Badge.enabled.is_(True), Badge.threshold.is_not(None), *_counted()]
    if member_ids is not None:
        where.append(one_of(session, MemberAction.member_id, member_ids))
    if kinds is not None:
        where.append(one_of(session, MemberAction.kind, kinds))
    source = (select(MemberAction.member_id, Badge.id, literal(now, MemberBadge.granted_at.type))
              .select_from(MemberAction)
              .join(Badge, Badge.action_kind == MemberAction.kind)
              .outerjoin(ContentItem, ContentItem.id == MemberAction.content_id)
              .where(*where)
              .group_by(MemberAction.member_id, Badge.id, Badge.threshold)
              .having(func.count(MemberAction.id) >= Badge.threshold))
    return _insert(session, source)


def jst_month(session: Session, column: Any) -> ColumnElement[int]:
    """The JST calendar month of a UTC timestamp as one integer (year * 12 + month), so consecutive months
    are consecutive numbers."""
    if dialect_name(session) == "postgresql":
        local = func.timezone("Asia/Tokyo", column)
        return cast(extract("year", local) * 12 + extract("month", local), Integer)
    return (cast(func.strftime("%Y", column, "+9 hours"), Integer) * 12
            + cast(func.strftime("%m", column, "+9 hours"), Integer))


def active_months(session: Session, member_ids: list[int] | None = None) -> Any:
    """(member_id, month) for each JST month the member did something that counts."""
    month = jst_month(session, MemberAction.occurred_at)
    query = (select(MemberAction.member_id.label("member_id"), month.label("month"))
             .select_from(MemberAction).outerjoin(ContentItem, ContentItem.id == MemberAction.content_id)
             .where(*_counted()).distinct())
    if member_ids is not None:
        query = query.where(one_of(session, MemberAction.member_id, member_ids))
    return query


def grant_streaks(session: Session, now: datetime) -> int:
    """Grant every enabled STREAK badge to the members whose longest run of consecutive active JST months
    reaches its threshold (gaps and islands: month - row_number() is constant along a run). One statement."""
    months = active_months(session).subquery("months")
    numbered = select(months.c.member_id, (months.c.month - func.row_number().over(
        partition_by=months.c.member_id, order_by=months.c.month)).label("island")).subquery("numbered")
    runs = (select(numbered.c.member_id, func.count().label("length"))
            .group_by(numbered.c.member_id, numbered.c.island).subquery("runs"))
    best = select(runs.c.member_id, func.max(runs.c.length).label("length")).group_by(runs.c.member_id).subquery()
    source = select(best.c.member_id, Badge.id, literal(now, MemberBadge.granted_at.type)).where(
        Badge.kind == BadgeKind.STREAK, Badge.enabled.is_(True), Badge.threshold.is_not(None),
        best.c.length >= Badge.threshold)
    return _insert(session, source)


def grant_missed(session: Session, now: datetime) -> int:
    """The periodic safety net: every declarative badge for every member. Safe to run twice."""
    badges.ensure_builtins(session, [b.code for b in badge_rules.BUILTINS if b.kind != BadgeKind.TITLE])
    return grant_counts(session, now) + grant_streaks(session, now)


def on_actions(session: Session, changed: list[MemberAction], change: str) -> None:
    """actions.BATCH_LISTENERS: grant the COUNT badges the recorded actions complete, in their transaction.
    Nothing for kinds no badge counts; otherwise two statements (built-ins written if missing, one grant)
    whatever the batch's size. Withdrawals take nothing back."""
    if change != "recorded":
        return
    kinds = sorted({a.kind for a in changed} & COUNT_KINDS)
    if not kinds:
        return
    badges.ensure_builtins(session, [b.code for b in badge_rules.BUILTINS if b.action_kind in kinds])
    now = max(a.occurred_at for a in changed)
    grant_counts(session, now, sorted({a.member_id for a in changed if a.kind in kinds}), kinds)


def on_content_moved(session: Session, item: ContentItem, before: str | None, now: datetime) -> None:
    """moderation seams: content approved (→ published) now counts: grant what its actions complete, at
    once rather than at the next pass (a first review held for review). Hiding takes nothing back."""
    if item.state != ContentState.PUBLISHED or before == ContentState.PUBLISHED:
        return
    acted = session.execute(select(MemberAction.member_id, MemberAction.kind).where(
        MemberAction.content_id == item.id, MemberAction.withdrawn_at.is_(None))).all()
    kinds = sorted({kind for _, kind in acted} & COUNT_KINDS)
    if kinds:
        badges.ensure_builtins(session, [b.code for b in badge_rules.BUILTINS if b.action_kind in kinds])
        grant_counts(session, now, sorted({m for m, _ in acted}), kinds)


def install() -> None:
    """Listen to member actions and to moderation (again installing changes nothing)."""
    if on_actions not in actions.BATCH_LISTENERS:
        actions.BATCH_LISTENERS.append(on_actions)
    for kind in (v for k, v in vars(ContentKind).items() if k.isupper()):
        seams.listen(kind, on_content_moved)


@dataclass(frozen=True)
class Progress:
    """A declarative badge the member has not earned yet, and how far they are."""

    badge: Badge
    done: int  # actions counted, or months in the current run
    left: int


def progress(session: Session, member_id: int, now: datetime) -> list[Progress]:
    """The enabled declarative badges the member does not hold (a revoked one is left out), with what they
    have done towards each: one query for the counts per kind, one for the active months. The current run of
    months ends this JST month, or last month while this one has nothing yet."""
    held = set(session.scalars(select(MemberBadge.badge_id).where(MemberBadge.member_id == member_id)))
    wanted = [b for b in badges.catalogue(session)
              if b.kind in (BadgeKind.COUNT, BadgeKind.STREAK) and b.enabled and b.threshold
              and (b.id is None or b.id not in held)]
    if not wanted:
        return []
    counts = dict(session.execute(
        select(MemberAction.kind, func.count(MemberAction.id)).select_from(MemberAction)
        .outerjoin(ContentItem, ContentItem.id == MemberAction.content_id)
        .where(MemberAction.member_id == member_id, *_counted()).group_by(MemberAction.kind)).all())
    run = 0
    if any(b.kind == BadgeKind.STREAK for b in wanted):
        months = set(session.scalars(select(active_months(session, [member_id]).subquery().c.month)))
        local = now.astimezone(JST)
        month = local.year * 12 + local.month
        if month not in months:
            month -= 1
        while month in months:
            run, month = run + 1, month - 1
    shown = []
    for badge in wanted:
        assert badge.threshold is not None
        done = run if badge.kind == BadgeKind.STREAK else int(counts.get(badge.action_kind or "", 0))
        # left 0: reached, granted by the next pass (a badge switched on later, a threshold lowered).
        shown.append(Progress(badge, min(done, badge.threshold), max(badge.threshold - done, 0)))
    return shown
