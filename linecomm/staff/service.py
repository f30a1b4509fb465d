"""Staff accounts: creation, sign-in with throttling, passwords, roles.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile). Sign-in is
throttled twice over, from rows in `login_attempts`: per account (5 failures within 15 minutes lock it
for 15 minutes) and per network address (20 failures within 15 minutes refuse further tries from it).
Unknown addresses are counted exactly like known ones, so the answers never tell which e-mails exist.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.staff import sessions
from linecomm.staff.models import LoginAttempt, LoginOutcome, StaffUser
from linecomm.staff.roles import Role, parse_role

ACCOUNT_MAX_FAILURES = 5
ACCOUNT_LOCK = timedelta(minutes=15)
ADDRESS_MAX_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=15)
PASSWORD_MIN = 10
PASSWORD_MAX = 256

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong e-mail costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("linecomm-no-such-account")


class StaffError(ValueError):
    """A staff change that cannot be made, with a Japanese message for the console."""


def normalise_email(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise StaffError(f"パスワードは{PASSWORD_MIN}文字以上にしてください。")
    if len(password) > PASSWORD_MAX:
        raise StaffError(f"パスワードは{PASSWORD_MAX}文字以内にしてください。")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, email: str, display_name: str, role: str, password: str) -> StaffUser:
    """Create a staff account. Raises StaffError for a bad e-mail, role or password, or a taken e-mail."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise StaffError("メールアドレスの形式が正しくありません。")
    display_name = " ".join(display_name.split()) or email.split("@", 1)[0]
    if len(display_name) > 100:
        raise StaffError("表示名は100文字以内にしてください。")
    try:
        parsed = parse_role(role)
    except ValueError:
        raise StaffError("役割の指定が正しくありません。") from None
    check_password_rules(password)
    user = StaffUser(
        email=email,
        display_name=display_name,
        role=parsed.value,
        password_hash=hash_password(password),
        is_active=True,
        password_changed_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise StaffError("そのメールアドレスのアカウントはすでにあります。") from None
    return user


class SignIn(Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    ADDRESS_THROTTLED = "address_throttled"
    DISABLED = "disabled"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignIn
    user: StaffUser | None = None
    locked_until: datetime | None = None


def _last_release(session: Session, email: str) -> datetime | None:
    return session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.outcome.in_([LoginOutcome.SUCCESS, LoginOutcome.UNLOCK])
        )
    )


def locked_until(session: Session, email: str, now: datetime | None = None) -> datetime | None:
    """When the account's lock ends, or None when it is not locked."""
    now = now or utcnow()
    email = normalise_email(email)
    stmt = select(LoginAttempt.at).where(LoginAttempt.email == email, LoginAttempt.outcome == LoginOutcome.FAILURE)
    released = _last_release(session, email)
    if released is not None:
        stmt = stmt.where(LoginAttempt.at > released)
    recent = list(session.scalars(stmt.order_by(LoginAttempt.at.desc()).limit(ACCOUNT_MAX_FAILURES)))
    if len(recent) < ACCOUNT_MAX_FAILURES or recent[0] - recent[-1] > ACCOUNT_LOCK:
        return None
    until = recent[0] + ACCOUNT_LOCK
    return until if now < until else None


def address_throttled(session: Session, address: str, now: datetime | None = None) -> bool:
    now = now or utcnow()
    failures = session.scalar(
        select(func.count()).where(
            LoginAttempt.address == address,
            LoginAttempt.outcome == LoginOutcome.FAILURE,
            LoginAttempt.at > now - ADDRESS_WINDOW,
        )
    )
    return (failures or 0) >= ADDRESS_MAX_FAILURES


def sign_in(session: Session, email: str, password: str, address: str, now: datetime | None = None) -> SignInResult:
    """Check an e-mail and password, counting the attempt. The caller commits whatever the outcome, so
    failures are remembered."""
    now = now or utcnow()
    email = normalise_email(email)[:254]
    address = (address or "unknown")[:64]
    if address_throttled(session, address, now):
        return SignInResult(SignIn.ADDRESS_THROTTLED)
    until = locked_until(session, email, now)
    if until is not None:
        return SignInResult(SignIn.LOCKED, locked_until=until)
    user = session.scalar(select(StaffUser).where(StaffUser.email == email))
    if not _verify(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        session.add(LoginAttempt(email=email, address=address, outcome=LoginOutcome.FAILURE, at=now))
        session.flush()
        until = locked_until(session, email, now)
        if until is not None:
            return SignInResult(SignIn.LOCKED, locked_until=until)
        return SignInResult(SignIn.BAD_CREDENTIALS)
    if not user.is_active:
        return SignInResult(SignIn.DISABLED)
    session.add(LoginAttempt(email=email, address=address, outcome=LoginOutcome.SUCCESS, at=now))
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return SignInResult(SignIn.OK, user=user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def unlock(session: Session, user: StaffUser, address: str = "console", now: datetime | None = None) -> None:
    """Lift a sign-in lock on `user` (the failures before now stop counting)."""
    session.add(LoginAttempt(email=user.email, address=address[:64], outcome=LoginOutcome.UNLOCK, at=now or utcnow()))
    session.flush()


def change_password(session: Session, user: StaffUser, current: str, new: str) -> None:
    """Change one's own password (the current one is required). Ends all of the user's sessions, this
    one included (the console opens a fresh one for the browser that made the change)."""
    if not _verify(user.password_hash, current):
        raise StaffError("現在のパスワードが正しくありません。")
    set_password(session, user, new)


def set_password(session: Session, user: StaffUser, new: str) -> None:
    """Set `user`'s password and end all of their sessions."""
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    sessions.revoke_all(session, user)
    session.flush()


def update(session: Session, user: StaffUser, *, role: str | None = None, is_active: bool | None = None,
           acting: StaffUser | None = None) -> dict[str, tuple[object, object]]:
    """Change a staff member's role or active flag; returns {field: (before, after)} of what changed.
    Any change ends all of the member's sessions (they sign in again under the new role).

    The last active owner cannot be demoted or disabled (someone must be able to manage staff)."""
    changes: dict[str, tuple[object, object]] = {}
    new_role = parse_role(role).value if role is not None else user.role
    new_active = user.is_active if is_active is None else is_active
    losing_owner = user.role == Role.OWNER and user.is_active and (new_role != Role.OWNER or not new_active)
    if losing_owner and _active_owner_count(session) <= 1:
        raise StaffError("有効なオーナーが一人もいなくなるため、この変更はできません。")
    if new_role != user.role:
        changes["role"] = (user.role, new_role)
        user.role = new_role
    if new_active != user.is_active:
        changes["is_active"] = (user.is_active, new_active)
        user.is_active = new_active
        if not new_active:  # their LINE user id is staff data: a disabled account keeps none (line_link)
            from linecomm.staff import line_link

            line_link.forget(session, user.id)
    if changes:
        sessions.revoke_all(session, user)
        session.flush()
    return changes


def _active_owner_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).where(StaffUser.role == Role.OWNER.value, StaffUser.is_active.is_(True))
    ) or 0


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.id)))


def get(session: Session, staff_id: int) -> StaffUser | None:
    return session.get(StaffUser, staff_id)
