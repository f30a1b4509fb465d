"""Appointments: the owner's candidate rules, appointing a member (title badge, one LINE notice held through
quiet hours) and revoking (the appointment ends, the badge and the rights go at once). Functions only
flush; the entry point commits and asks for the send after commit (`send_after_commit`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from linecomm.ambassadors import copy
from linecomm.ambassadors.models import Appointment, AppointmentRole, CandidateRules
from linecomm.db import dialect_name, utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.outbox import queueing
from linecomm.points import badges
from linecomm.points.badge_models import BadgeKind
from linecomm.pushes import policy as push_policy

LIMITS = {  # field: (label, lowest, highest)
    "min_lifetime_points": ("累計ポイント", 0, 10_000_000),
    "min_active_months": ("活動した月数", 0, 24),
    "active_window_months": ("数える期間（か月）", 1, 24),
    "moderator_daily_limit": ("1日に非表示にできる件数", 1, 100),
}
DEFAULTS = {"min_lifetime_points": 0, "required_badges": "", "min_active_months": 0, "active_window_months": 6,
            "no_sanctions": True, "moderator_daily_limit": 10}


class AppointmentError(ValueError):
    """An appointment step that cannot be taken (the message is Japanese, for the console)."""


def read_rules(session: Session) -> CandidateRules:
    """The rules as they stand (the defaults, not added to the session, while the owner set none)."""
    return session.get(CandidateRules, 1) or CandidateRules(id=1, **DEFAULTS)


def rules_dict(row: CandidateRules) -> dict[str, object]:
    return {name: getattr(row, name) for name in DEFAULTS}


def badge_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the badges the owner can require (the catalogue's, titles aside), in members' order."""
    return [(b.code, b.name) for b in badges.catalogue(session) if b.kind != BadgeKind.TITLE]


def badge_codes(row: CandidateRules) -> list[str]:
    return [c for c in (row.required_badges or "").split(",") if c]


def set_rules(session: Session, values: dict[str, object], by: str,
              now: datetime | None = None) -> tuple[dict[str, object], dict[str, object]]:
    """Replace the candidate rules with `values` (ints checked against LIMITS, `required_badges` a list of
    known codes, `no_sanctions` a bool). Returns (before, after) for the audit log."""
    for name, (label, low, high) in LIMITS.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise AppointmentError(copy.BAD_NUMBER.format(what=label, low=low, high=high))
    codes = values.get("required_badges") or []
    known = {code for code, _ in badge_choices(session)}
    if not isinstance(codes, list) or any(c not in known for c in codes):
        raise AppointmentError(copy.BAD_BADGES)
    row = session.get(CandidateRules, 1)
    if row is None:
        row = CandidateRules(id=1, **DEFAULTS)
        session.add(row)
    before = rules_dict(row)
    for name in LIMITS:
        setattr(row, name, values[name])
    row.required_badges = ",".join(sorted(set(codes)))
    row.no_sanctions = bool(values.get("no_sanctions"))
    row.updated_at, row.updated_by = now or utcnow(), by[:254]
    session.flush()
    return before, rules_dict(row)


# ---- appointing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Notice:
    message_id: int
    not_before: datetime | None  # set when quiet hours hold it


@dataclass(frozen=True)
class Appointed:
    appointment: Appointment
    notice: Notice | None


def _insert_active(session: Session, member_id: int, role: str, by: str, now: datetime) -> int | None:
    """INSERT the appointment unless an active one exists (the partial UNIQUE index decides): its id or None."""
    table = Appointment.__table__
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    stmt = dialect.insert(table).values(member_id=member_id, role=role, appointed_at=now, appointed_by=by[:254])
    stmt = stmt.on_conflict_do_nothing(index_elements=["member_id", "role"],
                                       index_where=table.c.ended_at.is_(None)).returning(table.c.id)
    return session.scalar(stmt)


def appoint(session: Session, member_id: int, role: str, *, by: str, liff_url: str | None = None,
            now: datetime | None = None) -> Appointed:
    """Appoint a member (status MEMBER) to `role`: one active appointment per member and role (a second
    raises AppointmentError), the role's title badge awarded, and one LINE notice stored under
    `appointment:<id>` (held until quiet hours end). The caller sends it after commit."""
    if role not in AppointmentRole.ALL:
        raise AppointmentError(copy.BAD_ROLE)
    now = now or utcnow()
    member = session.get(Member, member_id)
    if member is None or member.status != MemberStatus.MEMBER:
        raise AppointmentError(copy.NOT_A_MEMBER)
    new_id = _insert_active(session, member_id, role, by, now)
    if new_id is None:
        raise AppointmentError(copy.ALREADY.format(nickname=member.nickname or "", title=copy.TITLES[role]))
    appointment = session.get(Appointment, new_id)
    assert appointment is not None
    badges.award(session, member_id, copy.BADGE_CODES[role], by=by, reason=f"{copy.TITLES[role]}に任命", now=now)
    notice = None
    if member.is_following and not member.line_user_id.startswith("deleted:"):
        release = push_policy.quiet_hours(push_policy.read(session)).release(now)
        not_before = release if release > now else None
        message_id = queueing.queue_message(
            session, key=f"appointment:{new_id}", to=member.line_user_id, member_id=member.id,
            messages=copy.appointment_notice(role, member.nickname, liff_url), not_before=not_before)
        notice = Notice(message_id, not_before) if message_id is not None else None
    session.flush()
    return Appointed(appointment, notice)


def send_after_commit(session: Session, notice: Notice | None) -> None:
    """Ask for the notice's send once the transaction commits; one held for quiet hours is left to the
    sweeper, which sends pending messages whose `not_before` has passed."""
    from linecomm.outbox import sending
    from linecomm.queue import enqueue_after_commit

    if notice is not None and notice.not_before is None:
        enqueue_after_commit(session, sending.DELIVER_JOB, [notice.message_id])


def revoke(session: Session, appointment_id: int, *, by: str, reason: str | None = None,
           now: datetime | None = None) -> Appointment:
    """End an active appointment: its badge is revoked and its rights end with this transaction."""
    now = now or utcnow()
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.ended_at is not None:
        raise AppointmentError(copy.NOT_APPOINTED)
    appointment.ended_at, appointment.ended_by = now, by[:254]
    appointment.end_reason = (reason or "").strip()[:copy.REASON_MAX] or None
    badges.revoke(session, appointment.member_id, copy.BADGE_CODES[appointment.role], by=by,
                  reason=appointment.end_reason or f"{copy.TITLES[appointment.role]}を解任", now=now)
    session.flush()
    return appointment


def active_roles(session: Session, member_id: int) -> list[str]:
    """The member's current roles (AppointmentRole), in a fixed order."""
    held = set(session.scalars(select(Appointment.role).where(Appointment.member_id == member_id,
                                                              Appointment.ended_at.is_(None))))
    return [role for role in AppointmentRole.ALL if role in held]


def is_member_moderator(session: Session, member_id: int) -> bool:
    return session.scalar(select(Appointment.id).where(
        Appointment.member_id == member_id, Appointment.role == AppointmentRole.MEMBER_MODERATOR,
        Appointment.ended_at.is_(None)).limit(1)) is not None


@dataclass(frozen=True)
class ActiveAppointment:
    appointment: Appointment
    nickname: str | None


def active(session: Session, limit: int = 200) -> list[ActiveAppointment]:
    """Current appointments, newest first, with the members' nicknames."""
    rows = session.execute(
        select(Appointment, Member.nickname).join(Member, Member.id == Appointment.member_id)
        .where(Appointment.ended_at.is_(None)).order_by(Appointment.id.desc()).limit(limit)).all()
    return [ActiveAppointment(a, n) for a, n in rows]
