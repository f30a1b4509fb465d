"""The demo's chat console: play a LINE user in the browser, no LINE account needed.

Every action is a real signed webhook request to this app (through `SimulatedUser`, over HTTP: the demo
server is threaded), and the conversation is read back from the fake LINE platform, so the page shows
what LINE would show. Served only when settings.env is "demo" or "development".

LINE shows a postback action's `displayText` as the user's bubble without sending a message event. The
console records that bubble in the fake's conversation as an inbound entry whose event has the made-up
type `displayText` (never sent to the webhook), just before the real postback event.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask.blueprints import BlueprintSetupState

from linecomm.config import Settings
from linecomm.demo.seed import DEMO_CODE, DEMO_MEMBERS
from linecomm.line.limits import MAX_POSTBACK_DATA, MAX_TEXT_UNITS, utf16_units
from linecomm.line.simulator import Delivery, SimulatedUser
from linecomm.web_runtime import get_runtime

bp = Blueprint("demo", __name__, url_prefix="/demo")

CONSOLE_ENVS = ("demo", "development")
DIRECTORY_KEY = "linecomm.demo.console_users"
MAX_DISPLAY_NAME = 20  # LINE's own limit on a display name
MAX_DISPLAY_TEXT = 300  # LINE's limit on a postback action's displayText
FAKE_TIMEOUT_SECONDS = 5.0

# What the console says when it refuses a request (丁寧語; shown to the person playing the user).
ERR_BAD_JSON = "リクエストの形式が正しくありません。JSON オブジェクトでお送りください。"
ERR_UNKNOWN_USER = "そのユーザーは見つかりませんでした。ユーザーを選び直してください。"
ERR_EMPTY_TEXT = "メッセージを入力してください。"
ERR_LONG_TEXT = f"メッセージは{MAX_TEXT_UNITS:,}文字以内で入力してください。"
ERR_EMPTY_NAME = "表示名を入力してください。"
ERR_LONG_NAME = f"表示名は{MAX_DISPLAY_NAME}文字以内で入力してください。"
ERR_BLOCKED = "ブロック中はメッセージを送れません。先にブロックを解除してください。"
ERR_BAD_ACTION = "このボタンの操作には対応していません。"
ERR_BAD_POSTBACK = "ボタンのデータが正しくありません。"
ERR_FAKE_DOWN = "疑似 LINE プラットフォームに接続できませんでした。デモが起動しているかご確認ください。"
ERR_WEBHOOK = "Webhook の送信に失敗しました（HTTP {status}）。サーバーのログをご確認ください。"


class ConsoleError(Exception):
    """A request the console refuses, with the status and the Japanese message to show."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ConsoleUser:
    user_id: str
    display_name: str
    seeded: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "userId": self.user_id,
            "displayName": self.display_name,
            "seeded": self.seeded,
            "url": url_for("demo.chat", user=self.user_id),
        }


class ConsoleDirectory:
    """The simulated users this app's console knows (the fake LINE platform cannot list its users)."""

    def __init__(self, users: list[ConsoleUser] | None = None):
        self._lock = threading.Lock()
        self._users: dict[str, ConsoleUser] = {u.user_id: u for u in users or []}

    def add(self, user: ConsoleUser) -> None:
        with self._lock:
            self._users[user.user_id] = user

    def get(self, user_id: object) -> ConsoleUser | None:
        if not isinstance(user_id, str):
            return None
        with self._lock:
            return self._users.get(user_id)

    def all(self) -> list[ConsoleUser]:
        """Every user, the most recently created first and the seeded demo members last."""
        with self._lock:
            users = list(self._users.values())
        return [u for u in reversed(users) if not u.seeded] + [u for u in users if u.seeded]


@bp.record_once
def _install_directory(state: BlueprintSetupState) -> None:
    settings: Settings = state.app.config["LINECOMM_SETTINGS"]
    seeded: list[ConsoleUser] = []
    if settings.is_demo:  # `linecomm demo` seeds these members and registers them with the fake
        seeded = [ConsoleUser(user_id, name, seeded=True) for user_id, name, _nickname in DEMO_MEMBERS]
    state.app.extensions[DIRECTORY_KEY] = ConsoleDirectory(seeded)


@bp.before_request
def _demo_only() -> None:
    # web.py registers this blueprint only in these environments; refuse here too, should that ever change.
    if get_runtime().settings.env not in CONSOLE_ENVS:
        abort(404)


@bp.errorhandler(ConsoleError)
def _console_error(exc: ConsoleError):  # type: ignore[no-untyped-def]
    return jsonify(error=exc.message), exc.status


# --- parsing input ---------------------------------------------------------------------------------


def _directory() -> ConsoleDirectory:
    return current_app.extensions[DIRECTORY_KEY]


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ConsoleError(400, ERR_BAD_JSON)
    return body


def _known_user(user_id: object) -> ConsoleUser:
    user = _directory().get(user_id)
    if user is None:
        raise ConsoleError(400, ERR_UNKNOWN_USER)
    return user


def _message_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConsoleError(400, ERR_EMPTY_TEXT)
    if utf16_units(value) > MAX_TEXT_UNITS:  # counted as LINE counts: UTF-16 code units
        raise ConsoleError(400, ERR_LONG_TEXT)
    return value


def _display_name(value: object) -> str:
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        raise ConsoleError(400, ERR_EMPTY_NAME)
    if len(name) > MAX_DISPLAY_NAME:
        raise ConsoleError(400, ERR_LONG_NAME)
    return name


# --- talking to the fake LINE platform and to our own webhook --------------------------------------


def _fake_url() -> str:
    return get_runtime().settings.line_api_base_url.rstrip("/")


def _fake_request(method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        _fake_url() + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=FAKE_TIMEOUT_SECONDS) as response:
            return json.loads(response.read() or b"null")
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors; ValueError: not JSON
        raise ConsoleError(502, ERR_FAKE_DOWN) from exc


def _conversation(user: ConsoleUser) -> list[dict[str, Any]]:
    entries = _fake_request("GET", "/_fake/conversation/" + urllib.parse.quote(user.user_id, safe=""))
    if not isinstance(entries, list):
        raise ConsoleError(502, ERR_FAKE_DOWN)
    return [e for e in entries if isinstance(e, dict)]


def _follow_state(entries: list[dict[str, Any]]) -> bool | None:
    """True after a follow, False after an unfollow (a block), None if the user has done neither."""
    following: bool | None = None
    for entry in entries:
        kind = (entry.get("event") or {}).get("type") if entry.get("direction") == "in" else None
        if kind == "follow":
            following = True
        elif kind == "unfollow":
            following = False
    return following


def _not_blocked(user: ConsoleUser) -> ConsoleUser:
    """As on LINE, a user who has blocked the account cannot talk to it (or block it again)."""
    if _follow_state(_conversation(user)) is False:
        raise ConsoleError(400, ERR_BLOCKED)
    return user


def _simulated(user: ConsoleUser) -> SimulatedUser:
    """The user as a webhook sender; building it (re)registers their profile with the fake."""
    settings = get_runtime().settings
    try:
        return SimulatedUser(
            user.user_id,
            settings.demo_console_webhook_url,  # configured: a forged Host header must not choose the target
            settings.line_channel_secret,
            fake_url=settings.line_api_base_url,
            display_name=user.display_name,
        )
    except (OSError, ValueError) as exc:
        raise ConsoleError(502, ERR_FAKE_DOWN) from exc


def _sent(action: Any) -> Any:
    """Run one SimulatedUser action; a webhook that did not answer 200 is reported, not hidden."""
    try:
        delivery: Delivery = action()
    except (OSError, ValueError, KeyError) as exc:
        raise ConsoleError(502, ERR_FAKE_DOWN) from exc
    if delivery.status != 200:
        raise ConsoleError(502, ERR_WEBHOOK.format(status=delivery.status))
    return jsonify(status="sent")


def _record_display_text(user: ConsoleUser, text: str, data: str) -> None:
    event = {
        "type": "displayText",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user.user_id},
        "text": text,
        "postbackData": data,
    }
    _fake_request("POST", "/_fake/inbound", {"userId": user.user_id, "event": event})


# --- routes ----------------------------------------------------------------------------------------


@bp.get("/chat")
def chat():  # type: ignore[no-untyped-def]
    requested = request.args.get("user")
    selected = _directory().get(requested) if requested else None
    return render_template(
        "demo/chat.html",
        users=_directory().all(),
        selected=selected,
        missing_user=bool(requested) and selected is None,
        invite_code=DEMO_CODE,
        code_is_seeded=get_runtime().settings.is_demo,
        max_display_name=MAX_DISPLAY_NAME,
        max_text=MAX_TEXT_UNITS,
    )


@bp.get("/chat/users")
def list_users():  # type: ignore[no-untyped-def]
    return jsonify(users=[u.as_json() for u in _directory().all()])


@bp.post("/chat/users")
def create_user():  # type: ignore[no-untyped-def]
    name = _display_name(_json_body().get("displayName"))
    user = ConsoleUser("U" + uuid.uuid4().hex, name)
    _simulated(user)  # registers the profile with the fake, as LINE knows its users
    _directory().add(user)
    return jsonify(user=user.as_json(), url=url_for("demo.chat", user=user.user_id)), 201


@bp.post("/chat/follow")
def follow():  # type: ignore[no-untyped-def]
    user = _known_user(_json_body().get("user"))
    unblocked = _follow_state(_conversation(user)) is False
    simulated = _simulated(user)
    return _sent(lambda: simulated.follow(unblocked=unblocked))


@bp.post("/chat/unfollow")
def unfollow():  # type: ignore[no-untyped-def]
    user = _known_user(_json_body().get("user"))
    simulated = _simulated(_not_blocked(user))
    return _sent(simulated.unfollow)


@bp.post("/chat/say")
def say():  # type: ignore[no-untyped-def]
    body = _json_body()
    user = _known_user(body.get("user"))
    text = _message_text(body.get("text"))
    simulated = _simulated(_not_blocked(user))
    return _sent(lambda: simulated.say(text))


@bp.post("/chat/tap")
def tap():  # type: ignore[no-untyped-def]
    """A tapped button: a `message` action sends its text; a `postback` action sends a postback event,
    after showing its displayText as the user's bubble. (`uri` actions open in the browser.)"""
    body = _json_body()
    user = _known_user(body.get("user"))
    action = body.get("action")
    if not isinstance(action, dict):
        raise ConsoleError(400, ERR_BAD_ACTION)
    kind = action.get("type")
    if kind == "message":
        text = _message_text(action.get("text"))
        simulated = _simulated(_not_blocked(user))
        return _sent(lambda: simulated.say(text))
    if kind != "postback":
        raise ConsoleError(400, ERR_BAD_ACTION)
    data, display_text = action.get("data"), action.get("displayText")
    if not isinstance(data, str) or not data or utf16_units(data) > MAX_POSTBACK_DATA:
        raise ConsoleError(400, ERR_BAD_POSTBACK)
    if display_text is not None and (
        not isinstance(display_text, str) or utf16_units(display_text) > MAX_DISPLAY_TEXT
    ):
        raise ConsoleError(400, ERR_BAD_POSTBACK)
    simulated = _simulated(_not_blocked(user))
    if display_text:
        _record_display_text(user, display_text, data)
    return _sent(lambda: simulated.tap(data))


@bp.get("/chat/conversation")
def conversation():  # type: ignore[no-untyped-def]
    user = _known_user(request.args.get("user"))
    entries = _conversation(user)
    return jsonify(user=user.as_json(), following=_follow_state(entries), entries=entries)


from linecomm.demo import menu  # noqa: E402,F401  (the rich menu's routes, on this blueprint)
