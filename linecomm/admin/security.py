"""Who is signed in, what they may do, CSRF and the security headers of every admin response.

Every admin view declares its access with `@public`, `@signed_in` or `@requires(Permission.X)`; the
blueprint's before-request hook enforces it before the view runs, in this order: sign-in (anonymous →
the sign-in page), CSRF on every state-changing method (→ 400), permission (→ 403). A view without a
declaration is refused (500), so a forgotten check cannot leave a page open.

Sessions are rows on the server (linecomm.staff.sessions), so they can be revoked: logout ends this
browser's, a password, role or active change or "sign out everywhere" all of an account's; 30 idle minutes
or 12 hours in all end one too. Flask's signed cookie (HttpOnly, SameSite=Lax, Secure in production, path
/admin) carries only the session's random token and the CSRF token.
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from flask import Flask, current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import BadRequest, Forbidden, InternalServerError

from linecomm.audit.service import Actor
from linecomm.config import Settings
from linecomm.staff import sessions as staff_sessions
from linecomm.staff.models import StaffUser
from linecomm.staff.roles import Permission, allows

SESSION_TOKEN = "sid"  # the cookie's key for the server-side session's token
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

F = TypeVar("F", bound=Callable[..., Any])


class CsrfError(BadRequest):
    description = "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてからもう一度お試しください。"


def configure_session_cookie(app: Flask, settings: Settings) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="linecomm_admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env == "production",
        SESSION_COOKIE_PATH="/admin",
        SESSION_REFRESH_EACH_REQUEST=True,
    )


# ---- access declarations ---------------------------------------------------------------------------
def public(view: F) -> F:
    view._admin_access = "public"  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    view._admin_access = "signed_in"  # type: ignore[attr-defined]
    return view


def requires(permission: Permission) -> Callable[[F], F]:
    def mark(view: F) -> F:
        view._admin_access = permission  # type: ignore[attr-defined]
        return view

    return mark


def access_of(endpoint: str | None) -> object:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "_admin_access", None)


# ---- the session ------------------------------------------------------------------------------------
def start_session(db_session: Any, user: StaffUser) -> None:
    """A fresh session for `user` in this browser: a new server-side row and a cookie naming only it
    (nothing carried over from before sign-in: no fixation). The browser's previous session ends."""
    end_session(db_session)
    token = staff_sessions.open_session(db_session, user, request.user_agent.string, client_address())
    session.update({SESSION_TOKEN: token, "csrf": secrets.token_urlsafe(32)})


def end_session(db_session: Any) -> None:
    """Sign this browser out: revoke its session row (the caller commits) and clear the cookie."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        staff_sessions.revoke(db_session, token)
    session.clear()


def load_staff(db_session: Any, write: Callable[[], AbstractContextManager[Any]]) -> None:
    """Set g.staff (and g.staff_session_id) from the session, read in `db_session`, or None; sets
    g.session_expired when a timeout ended the session. When the row must be written (last use, or
    expiry), that is done at once in a short transaction of its own (`write()`)."""
    g.staff, g.staff_session_id, g.session_expired = None, None, False
    token = session.get(SESSION_TOKEN)
    if not isinstance(token, str):
        return
    resumed = staff_sessions.resume(db_session, token)
    if resumed.changed:
        with write() as writer:
            staff_sessions.note_use(writer, resumed)
    if resumed.user is None:
        session.clear()
        g.session_expired = resumed.expired
        return
    g.staff, g.staff_session_id = resumed.user, resumed.session_id


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(str(expected).encode(), sent.encode()):
        raise CsrfError()


def enforce_access(db_session: Any, write: Callable[[], AbstractContextManager[Any]]) -> Any:
    """The before-request check of every admin request; returns a response to short-circuit, or None.
    `db_session` is only read; `write()` gives a short write transaction (see `load_staff`)."""
    load_staff(db_session, write)
    access = access_of(request.endpoint)
    if access is None:
        raise InternalServerError("this admin view does not declare who may use it")
    if access != "public" and g.staff is None:
        # Nothing is performed; a form sent after the session ended leads to the sign-in page too.
        target = request.path if request.method in UNSAFE_METHODS or not request.query_string else request.full_path
        return redirect(url_for("admin.login", next=target, expired=1 if g.session_expired else None), 303)
    if request.method in UNSAFE_METHODS:
        check_csrf()
    if isinstance(access, Permission) and not allows(g.staff.role, access):
        raise Forbidden("この操作を行う権限がありません。")
    return None


def can(permission: Permission | str) -> bool:
    staff = g.get("staff")
    return staff is not None and allows(staff.role, Permission(permission))


def actor() -> Actor:
    staff: StaffUser = g.staff
    return Actor(staff.id, staff.email, client_address())


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def set_security_headers(response: Any, settings: Settings) -> Any:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    headers["Cache-Control"] = "no-store"
    if settings.env == "production":
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def safe_next(target: str | None) -> str:
    """Only same-site admin paths are followed after sign-in (no open redirect), and only printable ones:
    a CR or LF cannot go into the Location header (werkzeug refuses it, which would be a 500)."""
    if (target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target
            and target.isprintable()):
        return target
    return url_for("admin.dashboard")
