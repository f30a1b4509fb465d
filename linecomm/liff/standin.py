"""The stand-in LIFF SDK's side of the app, for demos and tests on the fake LINE platform only.

`register(app, settings)` adds the `/liff-sdk/` routes, and refuses to when the LINE base URLs are not the
fake platform's (loopback) or the app runs in production: there is no way to pick "a simulated LINE user"
in front of real LINE.

- `GET /liff-sdk/as/<line_user_id>?next=/liff/...` remembers the simulated LINE user in this browser (a
  signed cookie), signs the previous one out of the LIFF session, and goes to `next`.
- `GET /liff-sdk/sdk.js` the stand-in SDK (window.liff), which pages load instead of LINE's CDN SDK.
- `POST /liff-sdk/token` an ID token for the remembered user, issued by the fake platform (its `/_fake/`
  control API, as the demo console and the tests reach it). The app verifies it like any other, over
  HTTP at `POST {LINE_LOGIN_BASE_URL}/oauth2/v2.1/verify`.
- `GET|POST /liff-sdk/login` what `liff.login()` opens outside the LINE app: choose whom to play.
- `POST /liff-sdk/messages` `liff.sendMessages()`: the text is the user's message in their chat (recorded in
  the fake's conversation and delivered to this app's webhook as a signed message event, as LINE does).
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, send_file, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from linecomm.config import Settings
from linecomm.liff import access, copy
from linecomm.web_runtime import get_runtime

bp = Blueprint("liff_sdk", __name__, url_prefix="/liff-sdk")
SDK_FILE = Path(__file__).with_name("standin_sdk.js")
USER_COOKIE = "linecomm_liff_sdk_user"
LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
FAKE_TIMEOUT = 5.0
NO_USER, FAKE_DOWN = copy.STANDIN_NO_USER, copy.STANDIN_FAKE_DOWN
UNKNOWN_USER, BAD_USER = copy.STANDIN_UNKNOWN_USER, copy.STANDIN_BAD_USER


class StandInRefused(RuntimeError):
    """The stand-in SDK was about to be registered in front of real LINE or in production."""


def allowed(settings: Settings) -> bool:
    return settings.env != "production" and settings.uses_fake_line


def register(app: Flask, settings: Settings) -> None:
    """Add the stand-in SDK's routes; refuses (StandInRefused) unless the LINE URLs are the fake's."""
    if not allowed(settings):
        raise StandInRefused("the stand-in LIFF SDK runs only against the fake LINE platform, never in production")
    app.register_blueprint(bp)


def _serializer() -> URLSafeSerializer:
    from flask import current_app

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="linecomm.liff-sdk.user")


def simulated_user() -> str | None:
    raw = request.cookies.get(USER_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and LINE_USER_ID.match(value) else None


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/liff") and not target.startswith("//") and "\\" not in target \
            and target.isprintable():
        return target
    return url_for("liff.entry")


def _play(line_user_id: str, target: str | None) -> Response:
    response = redirect(_safe_next(target), 303)
    response.set_cookie(USER_COOKIE, _serializer().dumps(line_user_id), path="/", httponly=True, samesite="Lax")
    access.clear_session_cookie(response)  # another user's page session must not carry over
    return response


@bp.get("/as/<line_user_id>")
def play_as(line_user_id: str):  # type: ignore[no-untyped-def]
    if not LINE_USER_ID.match(line_user_id):
        return access.refusal(400, BAD_USER)
    return _play(line_user_id, request.args.get("next"))


@bp.get("/sdk.js")
def sdk():  # type: ignore[no-untyped-def]
    response = send_file(SDK_FILE, mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _fake_call(path: str, payload: dict[str, Any]) -> tuple[int, Any]:
    settings = get_runtime().settings
    request_ = urllib.request.Request(
        settings.line_login_base_url.rstrip("/") + path, data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request_, timeout=FAKE_TIMEOUT) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (OSError, ValueError):
        return 0, None


@bp.post("/token")
def token():  # type: ignore[no-untyped-def]
    """`{"idToken": ..., "inClient": true}` for the remembered user, `{"idToken": null}` when none is."""
    if not access.same_origin():
        return access.refusal(403, copy.CROSS_ORIGIN)
    user_id = simulated_user()
    if user_id is None:
        return {"idToken": None, "inClient": False}
    status, answer = _fake_call("/_fake/liff/tokens", {"userId": user_id})
    if status == 400:
        return access.refusal(409, UNKNOWN_USER)
    if status != 200 or not isinstance(answer, dict):
        return access.refusal(502, FAKE_DOWN)
    return {"idToken": answer.get("idToken"), "inClient": True}


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """What `liff.login()` opens in the stand-in: LINE's login screen, reduced to "who are you"."""
    target = request.values.get("redirectUri", "")
    path = _path_of(target)
    error = None
    if request.method == "POST":
        user_id = request.form.get("user", "").strip()
        if LINE_USER_ID.match(user_id):
            return _play(user_id, path)
        error = BAD_USER
    return render_template("liff/standin_login.html", redirect_uri=path, error=error), 400 if error else 200


def _path_of(uri: str) -> str:
    """The same-site path of a redirectUri (the stand-in never sends anyone elsewhere)."""
    match = re.match(r"^https?://[^/]+(/.*)$", uri)
    return _safe_next(match.group(1) if match else uri)


@bp.post("/messages")
def send_messages():  # type: ignore[no-untyped-def]
    """`liff.sendMessages()`: the remembered user's text messages, into their chat with the account."""
    if not access.same_origin():
        return access.refusal(403, copy.CROSS_ORIGIN)
    user_id = simulated_user()
    if user_id is None:
        return access.refusal(403, NO_USER)
    body = request.get_json(silent=True)
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return access.refusal(400, copy.BAD_REQUEST)
    texts = [m.get("text") for m in messages if isinstance(m, dict) and m.get("type") == "text"]
    if len(texts) != len(messages) or not all(isinstance(t, str) and 0 < len(t) <= 5000 for t in texts):
        return access.refusal(400, copy.BAD_REQUEST)
    from linecomm.line.simulator import SimulatedUser

    settings = get_runtime().settings
    user = SimulatedUser(user_id, settings.demo_console_webhook_url, settings.line_channel_secret)
    user.fake_url = settings.line_api_base_url  # the user is known to the fake already (they have a token)
    for text in texts:
        try:
            delivery = user.say(text)
        except (OSError, ValueError, KeyError):
            return access.refusal(502, FAKE_DOWN)
        if delivery.status != 200:
            return access.refusal(502, FAKE_DOWN)
    return {"status": "sent"}
