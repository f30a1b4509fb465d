"""Who is signed in on a LIFF page, and the two decorators every member page goes through.

    from linecomm.liff.access import member_page, member_action, SignedInMember, db, commit

    @bp.get("/surveys/<int:survey_id>")
    @member_page
    def survey(survey_id: int, member: SignedInMember): ...      # GET: reads through db() (read-only)

    @bp.post("/surveys/<int:survey_id>")
    @member_action
    def answer(survey_id: int, member: SignedInMember): ...      # POST: writes through db(), commit() once

The session is a signed cookie (itsdangerous, the app's secret; HttpOnly, SameSite=Lax, Secure in
production, `settings.liff_session_seconds` long) naming only the LINE user LINE vouched for in
`POST /liff/session`. The member row is read on every request, so leaving, suspension and erasure count at
once. Views never take a member or LINE user id from the client.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Response, g, jsonify, make_response, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.liff import copy
from linecomm.members.models import Member, MemberStatus
from linecomm.web_runtime import get_runtime

COOKIE_NAME = "linecomm_liff"
COOKIE_PATH = "/"  # the stand-in SDK's routes (/liff-sdk/) sign out the previous simulated user too
_SALT = "linecomm.liff.session"
READ_METHODS = frozenset({"GET", "HEAD"})
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class SignedInMember:
    """The member a LIFF page is shown to, as of this request."""

    member_id: int
    line_user_id: str
    nickname: str | None
    status: str

    @property
    def can_post(self) -> bool:
        return self.status == MemberStatus.MEMBER


@dataclass(frozen=True)
class Visitor:
    """Someone LINE vouched for who is not a member (a follower, a former member, an erased one, or not even
    a friend of the account): they are invited to join, never shown member pages."""

    line_user_id: str
    status: str | None  # None: no member row


# ---- the request's database session ----------------------------------------------------------------
def reader() -> Session:
    """The request's read-only session (never written in)."""
    if "liff_reader" not in g:
        g.liff_reader = get_runtime().readers()
    return g.liff_reader


def db() -> Session:
    """The session a LIFF view works in: `reader()` for a page (GET), a writer session for an action."""
    if request.method in READ_METHODS:
        return reader()
    if "liff_db" not in g:
        g.liff_db = get_runtime().sessions()
    return g.liff_db


def commit() -> None:
    """End the action's one write transaction (side effects queued with enqueue_after_commit follow it)."""
    if request.method in READ_METHODS:
        raise RuntimeError("a LIFF page (GET) does not write")
    db().commit()


def close_sessions(exc: BaseException | None) -> None:
    for name in ("liff_db", "liff_reader"):
        session = g.pop(name, None)
        if session is not None:
            if exc is not None or session.in_transaction():
                session.rollback()
            session.close()


# ---- the cookie -------------------------------------------------------------------------------------
def _serializer() -> URLSafeTimedSerializer:
    from flask import current_app

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def session_cookie_value(line_user_id: str) -> str:
    return _serializer().dumps({"sub": line_user_id})


def set_session_cookie(response: Response, line_user_id: str) -> None:
    settings = get_runtime().settings
    response.set_cookie(
        COOKIE_NAME, session_cookie_value(line_user_id), max_age=settings.liff_session_seconds, path=COOKIE_PATH,
        httponly=True, samesite="Lax", secure=settings.env == "production",
    )


def clear_session_cookie(response: Response) -> None:
    settings = get_runtime().settings
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="Lax",
                           secure=settings.env == "production")


def signed_in_user_id() -> str | None:
    """The LINE user id of this browser's unexpired, untampered session, or None."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        payload = _serializer().loads(raw, max_age=get_runtime().settings.liff_session_seconds)
    except BadSignature:  # forged, tampered, or expired (SignatureExpired is a BadSignature)
        return None
    sub = payload.get("sub") if isinstance(payload, dict) else None
    return sub if isinstance(sub, str) and sub else None


def who(session: Session, line_user_id: str) -> SignedInMember | Visitor:
    """The member (or visitor) this LINE user is now."""
    row = session.execute(
        select(Member.id, Member.nickname, Member.status).where(Member.line_user_id == line_user_id)
    ).first()
    if row is None:
        return Visitor(line_user_id, None)
    if row.status not in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        return Visitor(line_user_id, row.status)
    return SignedInMember(row.id, line_user_id, row.nickname, row.status)


def current() -> SignedInMember | Visitor | None:
    """Who this request comes from (None: no valid session), read once per request."""
    if "liff_who" not in g:
        user_id = signed_in_user_id()
        g.liff_who = who(reader(), user_id) if user_id else None
    return g.liff_who


# ---- same origin ------------------------------------------------------------------------------------
def same_origin() -> bool:
    """True when the POST comes from a page of this site (Origin, else Referer, names this host)."""
    expected = f"{request.scheme}://{request.host}".lower()
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer")
        if not referer:
            return False
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin.lower() == expected


def refusal(status: int, message: str, **extra: Any) -> Response:
    response = jsonify(error=message, **extra)
    response.status_code = status
    return response


# ---- the decorators ---------------------------------------------------------------------------------
def signin_shell() -> Response:
    """The page that signs in with LINE (loads the SDK, posts the ID token, reloads this URL)."""
    return make_response(render_template("liff/signin.html"), 200)


def invitation(visitor: Visitor) -> Response:
    from linecomm.members import chat as member_chat

    page = render_template("liff/invitation.html", visitor=visitor, join_word=member_chat.JOIN_WORDS[0],
                           help_word=member_chat.HELP_WORDS[0])
    return make_response(page, 403)


def member_page(view: F) -> F:
    """A GET view for members: runs with `member=SignedInMember`; no session → the sign-in shell; not a
    member → the invitation to join."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        person = current()
        if person is None:
            return signin_shell()
        if isinstance(person, Visitor):
            return invitation(person)
        kwargs["member"] = person
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def member_action(view: F | None = None, *, read_only_ok: bool = False) -> Any:
    """A POST view for members: same-origin only (403), a session (401 `{"error", "reauth": true}`), a member
    (403) who may post (403 for a suspended member unless `read_only_ok`, e.g. leaving)."""

    def decorate(inner: F) -> F:
        @wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not same_origin():
                return refusal(403, copy.CROSS_ORIGIN)
            person = current()
            if person is None:
                return refusal(401, copy.SESSION_EXPIRED, reauth=True)
            if isinstance(person, Visitor):
                return refusal(403, copy.MEMBERS_ONLY)
            if not person.can_post and not read_only_ok:
                return refusal(403, copy.READ_ONLY, read_only=True)
            kwargs["member"] = person
            return inner(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate
