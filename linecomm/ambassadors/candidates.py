"""Candidates for appointment: members who meet the owner's rules, found with one set-based query.

The rules: lifetime points at least N (member_points.lifetime), any of the required badges (held, not
revoked), active in at least M Japan-time months of the recent window, no warning or suspension ever
(member_sanctions), and still a member (status MEMBER). Months are read from `member_active_months`, one
row per member and JST month with a recorded action, kept by linecomm.actions as actions are recorded: a
range of month strings, the same SQL on PostgreSQL and SQLite, counted only for the members the cheaper
rules let through. A month stays counted once the member recorded an action in it, also when that action
is withdrawn later (before this table, a withdrawn support or best answer no longer counted its month; see
linecomm.actions.active_months). Pages are keyset-paged by (lifetime points, member id), highest first; the
page's badges, months and roles are read for its members only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from linecomm.actions import active_months
from linecomm.actions.models import MemberActiveMonth
from linecomm.ambassadors.models import Appointment, CandidateRules
from linecomm.ambassadors.service import badge_codes
from linecomm.db import one_of
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation.models import MemberSanction, SanctionKind
from linecomm.points.badge_models import Badge, MemberBadge
from linecomm.points.models import MemberPoints

PAGE = 50


@dataclass(frozen=True)
class Candidate:
    member_id: int
    nickname: str | None
    lifetime: int
    months_active: int
    badges: tuple[str, ...] = ()  # badge names held
    roles: tuple[str, ...] = ()  # current appointments


@dataclass(frozen=True)
class CandidatePage:
    rows: list[Candidate]
    next_cursor: str | None


def parse_cursor(raw: str | None) -> tuple[int, int] | None:
    """`<lifetime>.<member id>` from the page's link, or None for the first page (bad input is ignored)."""
    parts = (raw or "").split(".")
    if len(parts) != 2 or not all(p.isascii() and p.lstrip("-").isdigit() and len(p) < 12 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def query(rules: CandidateRules, now: datetime) -> tuple[Select[Any], ColumnElement[int]]:
    """(statement, lifetime column): the candidates' (id, nickname, lifetime), unordered and unpaged.

    The cheap rules (status, points, sanctions, badges) are applied first and the months are counted only
    for the members they let through: their `member_active_months` rows in the window (already one per
    member and month, so a plain count). Sanctions and badges are NOT IN / IN over small sets, hashed once
    whatever the planner guesses (a correlated EXISTS became a nested loop over every sanction for every
    candidate)."""
    lifetime = func.coalesce(MemberPoints.lifetime, 0)
    where: list[ColumnElement[bool]] = [Member.status == MemberStatus.MEMBER]
    if rules.min_lifetime_points > 0:
        where.append(MemberPoints.lifetime >= rules.min_lifetime_points)
    if rules.no_sanctions:
        where.append(Member.id.not_in(select(MemberSanction.member_id).where(
            MemberSanction.kind.in_([SanctionKind.WARN, SanctionKind.SUSPEND]))))
    codes = badge_codes(rules)
    if codes:
        where.append(Member.id.in_(select(MemberBadge.member_id).join(Badge, Badge.id == MemberBadge.badge_id)
                                   .where(MemberBadge.revoked_at.is_(None), Badge.code.in_(codes))))
    stmt = (select(Member.id, Member.nickname, lifetime.label("lifetime"))
            .outerjoin(MemberPoints, MemberPoints.member_id == Member.id).where(*where))
    if rules.min_active_months > 0:
        eligible = select(Member.id).outerjoin(MemberPoints, MemberPoints.member_id == Member.id).where(*where)
        active = (select(MemberActiveMonth.member_id)
                  .where(active_months.in_window(now, rules.active_window_months),
                         MemberActiveMonth.member_id.in_(eligible))
                  .group_by(MemberActiveMonth.member_id).having(func.count() >= rules.min_active_months))
        stmt = stmt.where(Member.id.in_(active))
    return stmt, lifetime


def months_active(session: Session, rules: CandidateRules, now: datetime, member_ids: list[int]) -> dict[int, int]:
    """How many JST months of the window each of these members was active in (a page's members)."""
    return active_months.counts(session, now, rules.active_window_months, member_ids)


def page(session: Session, rules: CandidateRules, now: datetime, after: tuple[int, int] | None = None,
         limit: int = PAGE) -> CandidatePage:
    """One page of candidates, most lifetime points first, with their badges and current roles (two more
    queries for the page's members only)."""
    stmt, lifetime = query(rules, now)
    if after is not None:
        stmt = stmt.where(or_(lifetime < after[0], and_(lifetime == after[0], Member.id < after[1])))
    rows = session.execute(stmt.order_by(lifetime.desc(), Member.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [r.id for r in rows]
    held = held_badges(session, ids)
    months = months_active(session, rules, now, ids)
    roles: dict[int, list[str]] = {}
    if ids:
        for member_id, role in session.execute(select(Appointment.member_id, Appointment.role).where(
                one_of(session, Appointment.member_id, ids), Appointment.ended_at.is_(None))):
            roles.setdefault(member_id, []).append(role)
    found = [Candidate(r.id, r.nickname, int(r.lifetime), months.get(r.id, 0), tuple(held.get(r.id, ())),
                       tuple(sorted(roles.get(r.id, ())))) for r in rows]
    cursor = f"{found[-1].lifetime}.{found[-1].member_id}" if more and found else None
    return CandidatePage(found, cursor)


def count(session: Session, rules: CandidateRules, now: datetime) -> int:
    stmt, _ = query(rules, now)
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def held_badges(session: Session, member_ids: list[int]) -> dict[int, list[str]]:
    """The names of the badges each member holds (not revoked), in the members' order of badges."""
    if not member_ids:
        return {}
    found: dict[int, list[str]] = {}
    for member_id, name in session.execute(
            select(MemberBadge.member_id, Badge.name).join(Badge, Badge.id == MemberBadge.badge_id)
            .where(one_of(session, MemberBadge.member_id, member_ids), MemberBadge.revoked_at.is_(None),
                   Badge.enabled.is_(True))
            .order_by(Badge.position, Badge.id)):
        found.setdefault(member_id, []).append(name)
    return found
