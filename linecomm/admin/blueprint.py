"""The admin blueprint object and its request plumbing, shared by the view modules.

Each admin request gets one database session (`db()`), opened lazily and closed at teardown; a view
that changes something calls `commit()` once, after its service calls and audit record."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, make_response, render_template
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from linecomm.admin import labels, security
from linecomm.staff.roles import ROLE_LABELS, Permission, Role
from linecomm.text.quotes import quoted
from linecomm.web_runtime import get_runtime

bp = Blueprint("admin", __name__, url_prefix="/admin")


def db() -> Session:
    if "admin_db" not in g:
        g.admin_db = get_runtime().sessions()
    return g.admin_db


def commit() -> None:
    db().commit()


@bp.before_request
def _before() -> Any:
    return security.enforce_access(db())


@bp.after_request
def _after(response: Any) -> Any:
    return security.set_security_headers(response, get_runtime().settings)


@bp.teardown_request
def _teardown(exc: BaseException | None) -> None:
    session = g.pop("admin_db", None)
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
        db().rollback()
    message = exc.description if code in (400, 403, 429) else None
    page = render_template("admin/error.html", code=code, title=titles.get(code, "エラーが発生しました"),
                           message=message)
    return security.set_security_headers(make_response(page, code), get_runtime().settings)
