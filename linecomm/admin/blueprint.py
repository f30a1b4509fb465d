"""The admin blueprint object and its request plumbing, shared by the view modules.

Page requests (GET, HEAD) read through `Runtime.readers` (`reader()`): on SQLite a deferred read-only
transaction that never takes the write lock the webhook needs; on PostgreSQL the same engine. The signed-in
staff member is looked up there too, for every request. Other requests (POST) get a writer session
(`db()`), opened lazily by the view, which calls `commit()` once, after its service calls and audit record;
anything that leaves the process (LINE, the queue) happens before its first write or after that commit.
What a page request must record (a staff session's last use, the audit row of an export) goes through
`write()`, a short write transaction of its own. Sessions are closed at teardown."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, g, make_response, render_template, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from linecomm.admin import labels, security
from linecomm.db import transaction
from linecomm.staff.roles import ROLE_LABELS, Permission, Role
from linecomm.text.quotes import quoted
from linecomm.web_runtime import get_runtime

bp = Blueprint("admin", __name__, url_prefix="/admin")


READ_METHODS = frozenset({"GET", "HEAD"})


def reader() -> Session:
    """The request's read-only session (it never writes: see `write()`)."""
    if "admin_reader" not in g:
        g.admin_reader = get_runtime().readers()
    return g.admin_reader


def db() -> Session:
    """The session a view works in: `reader()` for a page request, a writer session for the others."""
    if request.method in READ_METHODS:
        return reader()
    if "admin_db" not in g:
        g.admin_db = get_runtime().sessions()
    return g.admin_db


def commit() -> None:
    """End the request's one write transaction. A page request has none: it records through `write()`."""
    if request.method in READ_METHODS:
        raise RuntimeError(f"a {request.method} request does not write in its session; use write()")
    db().commit()


@contextmanager
def write() -> Iterator[Session]:
    """A short write transaction of its own, committed at the end (rolled back on an error). Only before
    the request's own writer session has begun: on SQLite it would wait for the lock that session holds."""
    writer = g.get("admin_db")
    if writer is not None and writer.in_transaction():
        raise RuntimeError("write() inside the request's own write transaction")
    with transaction(get_runtime().sessions) as session:
        yield session


@bp.before_request
def _before() -> Any:
    return security.enforce_access(reader(), write)


@bp.after_request
def _after(response: Any) -> Any:
    return security.set_security_headers(response, get_runtime().settings)


@bp.teardown_request
def _teardown(exc: BaseException | None) -> None:
    for name in ("admin_db", "admin_reader"):
        session = g.pop(name, None)
        if session is not None:
            if exc is not None or session.in_transaction():
                session.rollback()
            session.close()


@bp.app_template_filter("role_label")
def _role_label(value: str) -> str:
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value


for _name, _table in labels.FILTERS.items():
    bp.add_app_template_filter(labels.make_filter(_table), _name)
bp.add_app_template_filter(quoted, "quoted")


@bp.context_processor
def _context() -> dict[str, Any]:
    return {"staff": g.get("staff"), "csrf_token": security.csrf_token, "can": security.can, "P": Permission}


@bp.errorhandler(HTTPException)
def _error(exc: HTTPException) -> Any:
    return error_page(exc)


def error_page(exc: HTTPException) -> Any:
    """The console's error page, with the console's security headers. Also for an /admin path that no
    route matched (an unknown page, an id out of range): Flask hands those to no blueprint (linecomm.web)."""
    code = exc.code or 500
    titles = {400: "送信内容を確認してください", 403: "権限がありません", 404: "ページが見つかりません",
              405: "この操作はできません", 429: "しばらくお待ちください"}
    if code >= 500 and "admin_db" in g:
        g.admin_db.rollback()  # a failed write: nothing of it stays, and the session is usable again
    message = exc.description if code in (400, 403, 429) else None
    page = render_template("admin/error.html", code=code, title=titles.get(code, "エラーが発生しました"),
                           message=message)
    return security.set_security_headers(make_response(page, code), get_runtime().settings)
