"""LIFF: ID token verification, the member session and the pages members open from LINE.

`init_app(app, settings)` registers the LIFF blueprint, and the stand-in SDK's routes when (and only when)
the LINE base URLs are the fake platform's (linecomm.liff.standin). Other features' member pages use
linecomm.liff.access (member_page, member_action) and linecomm.liff.sections (my page's blocks)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.exceptions import HTTPException

    from linecomm.config import Settings


def init_app(app: Flask, settings: Settings) -> None:
    from linecomm.chat.router import ROUTER
    from linecomm.liff import standin, views

    # The nickname rules (NG words, personal data) are installed by the features' chat modules: load them
    # in the web process too, so my page applies exactly the join flow's rules.
    ROUTER.load_features()
    app.register_blueprint(views.bp)
    if standin.allowed(settings):
        standin.register(app, settings)


def error_page(exc: HTTPException) -> tuple[str, int]:
    """The LIFF pages' error page (a GET under /liff/ that failed: unknown page, bad input)."""
    from flask import render_template

    code = exc.code or 500
    titles = {404: "ページが見つかりません", 400: "送信内容を確認してください", 403: "ご利用いただけません"}
    message = exc.description if code in (400, 403) else None
    return render_template("liff/error.html", title=titles.get(code, "エラーが発生しました"), message=message), code
