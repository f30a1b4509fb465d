"""The LIFF app's own routes: the entry URL (deep links), sign-in with an ID token, and my page.

The LIFF app's endpoint URL is `https://<host>/liff/`. LINE opens a deep link
`https://liff.line.me/{LIFF_ID}/surveys/12` as `/liff/?liff.state=%2Fsurveys%2F12`; the SDK's `liff.init()`
then forwards to `/liff/surveys/12` (LINE's secondary redirect), so the entry only has to load the SDK.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from linecomm.db import utcnow
from linecomm.liff import access, copy, service
from linecomm.liff.access import SignedInMember, member_action, member_page
from linecomm.liff.sections import sections_for
from linecomm.line.login_client import IdTokenRejected, LineLoginClient, LoginUnavailable
from linecomm.members import service as members
from linecomm.members.models import Member
from linecomm.web_runtime import get_runtime

log = logging.getLogger(__name__)
bp = Blueprint("liff", __name__, url_prefix="/liff")

PRODUCTION_SDK = "https://static.line-scdn.net/liff/edge/2/sdk.js"
CSP = (
    "default-src 'self'; script-src 'self' https://static.line-scdn.net; style-src 'self'; "
    "img-src 'self' data: https://*.line-scdn.net; connect-src 'self' https://*.line.me https://*.line-scdn.net; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def login_client() -> LineLoginClient:
    settings = get_runtime().settings
    return LineLoginClient(settings.line_login_base_url, settings.line_login_channel_id,
                           timeout=settings.line_timeout_seconds)


# ---- plumbing for every /liff page (this blueprint's and other features') ----------------------------
def _is_liff_request() -> bool:
    return request.path == "/liff" or request.path.startswith(("/liff/", "/liff-sdk/"))


@bp.after_app_request
def _security_headers(response: Any) -> Any:
    if _is_liff_request():
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers.setdefault("Cache-Control", "no-store")
    return response


@bp.teardown_app_request
def _teardown(exc: BaseException | None) -> None:
    access.close_sessions(exc)


@bp.app_context_processor
def _page_context() -> dict[str, Any]:
    if not _is_liff_request():
        return {}
    settings = get_runtime().settings
    stand_in = settings.uses_fake_line and "liff_sdk" in _blueprints()
    person = g.get("liff_who")
    return {
        "liff_id": settings.liff_id,
        "liff_stand_in": stand_in,
        "liff_sdk_url": url_for("liff_sdk.sdk") if stand_in else PRODUCTION_SDK,
        "liff_member": person if isinstance(person, SignedInMember) else None,
        "liff_copy": copy,
        "privacy_notice_url": settings.privacy_notice_url,
    }


def _blueprints() -> dict[str, Any]:
    return current_app.blueprints


# ---- entry and sign-in ------------------------------------------------------------------------------
@bp.get("/", strict_slashes=False)
def entry():  # type: ignore[no-untyped-def]
    """The endpoint URL. With `liff.state` the SDK's init forwards to the deep link's page; without, the
    member's home is my page."""
    if "liff.state" in request.args:
        return access.signin_shell()
    return _home()


@member_page
def _home(member: SignedInMember):  # type: ignore[no-untyped-def]
    return redirect(url_for("liff.my_page"), 303)


@bp.post("/session")
def session():  # type: ignore[no-untyped-def]
    """Sign in with the ID token the page got from `liff.getIDToken()`: LINE verifies it, its `sub` is
    the LINE user, the answer sets the session cookie. 401 for a token LINE refuses, 503 when LINE does
    not answer."""
    if not access.same_origin():
        return access.refusal(403, copy.CROSS_ORIGIN)
    body = request.get_json(silent=True) if request.is_json else None
    token = body.get("id_token") if isinstance(body, dict) else request.form.get("id_token")
    if not isinstance(token, str) or not token.strip() or len(token) > 8192:
        return access.refusal(400, copy.TOKEN_MISSING)
    try:
        claims = login_client().verify_id_token(token.strip())
    except IdTokenRejected as exc:
        log.info("LIFF sign-in refused: %s", exc.reason)
        response = access.refusal(401, copy.TOKEN_EXPIRED if exc.expired else copy.TOKEN_REFUSED,
                                  expired=exc.expired)
        access.clear_session_cookie(response)
        return response
    except LoginUnavailable as exc:
        log.warning("LIFF sign-in: LINE Login unavailable: %s", exc)
        return access.refusal(503, copy.LOGIN_UNAVAILABLE, retry=True)
    person = access.who(access.reader(), claims.sub)
    status = "member" if isinstance(person, SignedInMember) and person.can_post else (
        "read_only" if isinstance(person, SignedInMember) else "guest")
    response = jsonify(status=status)
    access.set_session_cookie(response, claims.sub)
    return response


# ---- my page ----------------------------------------------------------------------------------------
def _my_page(member: SignedInMember, row: Member, *, nickname: str | None = None, error: str | None = None,
             status: int = 200) -> Any:
    page = render_template(
        "liff/me.html", member=member, row=row, nickname=row.nickname if nickname is None else nickname,
        error=error, saved=request.args.get("saved") == "nickname",
        sections=sections_for(access.reader(), member),
    )
    return page, status


@bp.get("/me")
@member_page
def my_page(member: SignedInMember):  # type: ignore[no-untyped-def]
    row = access.reader().get(Member, member.member_id)
    return _my_page(member, row)


@bp.post("/me/nickname")
@member_action
def change_nickname(member: SignedInMember):  # type: ignore[no-untyped-def]
    raw = request.form.get("nickname", "")
    session = access.db()
    row = service.member_row(session, member.member_id)
    problem = members.change_nickname(session, row, raw)
    if problem is not None:
        session.rollback()
        return _my_page(member, access.reader().get(Member, member.member_id), nickname=raw,
                        error=problem.value, status=422)
    access.commit()
    return redirect(url_for("liff.my_page", saved="nickname"), 303)


@bp.get("/me/leave")
@member_page
def confirm_leave(member: SignedInMember):  # type: ignore[no-untyped-def]
    return render_template("liff/leave.html", member=member)


@bp.post("/me/leave")
@member_action(read_only_ok=True)
def leave(member: SignedInMember):  # type: ignore[no-untyped-def]
    if request.form.get("confirm") != "yes":
        return render_template("liff/leave.html", member=member, unconfirmed=True), 422
    session = access.db()
    service.leave_community(session, service.member_row(session, member.member_id), utcnow())
    access.commit()
    return redirect(url_for("liff.left"), 303)


@bp.get("/left")
def left():  # type: ignore[no-untyped-def]
    """After leaving: no member content, nothing personal (the session now belongs to a visitor)."""
    return render_template("liff/left.html")
