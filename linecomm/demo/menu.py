"""The demo chat console's rich menu: the menu the simulated user sees under the chat, as LINE shows it.

The fake LINE platform knows each user's menu (their linked menu, else the default one); the console asks it
and shows the image with its tappable areas. A message or postback area is sent as the user through the
console's `/demo/chat/tap`; a LIFF area (`https://liff.line.me/{LIFF_ID}/path`) opens the LIFF page as the
simulated user, through the stand-in LIFF SDK's `/liff-sdk/as/<user>?next=/liff/path` (linecomm.liff).
"""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from flask import Response, jsonify, request, url_for

from linecomm.demo.views import (
    ERR_FAKE_DOWN,
    FAKE_TIMEOUT_SECONDS,
    ConsoleError,
    _fake_request,
    _fake_url,
    _known_user,
    bp,
)
from linecomm.web_runtime import get_runtime

RICH_MENU_ID = re.compile(r"richmenu-[0-9a-f]{32}")
ERR_NO_IMAGE = "リッチメニューの画像が見つかりませんでした。"


def liff_path(uri: str, liff_id: str) -> str | None:
    """The page a LIFF URL of this app opens (`https://liff.line.me/{LIFF_ID}/surveys/12` → `/liff/surveys/12`,
    LINE's secondary redirect), or None for any other URL."""
    prefix = f"https://liff.line.me/{liff_id}"
    if not liff_id or not (uri == prefix or uri.startswith(prefix + "/") or uri.startswith(prefix + "?")):
        return None
    rest = uri[len(prefix):]
    return "/liff" + (rest if rest.startswith("/") else "/" + rest)


def _area(area: dict[str, Any], user_id: str, liff_id: str) -> dict[str, Any]:
    action = area.get("action") or {}
    opens = None
    if action.get("type") == "uri":
        page = liff_path(str(action.get("uri", "")), liff_id)
        if page is not None:
            opens = "/liff-sdk/as/" + urllib.parse.quote(user_id, safe="") + "?" + urllib.parse.urlencode(
                {"next": page})
    return {"bounds": area.get("bounds"), "action": action, "label": action.get("label") or "", "liff": opens}


@bp.get("/chat/richmenu")
def rich_menu():  # type: ignore[no-untyped-def]
    user = _known_user(request.args.get("user"))
    answer = _fake_request("GET", "/_fake/richmenu/shown/" + urllib.parse.quote(user.user_id, safe=""))
    menu = answer.get("richMenu") if isinstance(answer, dict) else None
    if not isinstance(menu, dict):
        return jsonify(menu=None)
    liff_id = get_runtime().settings.liff_id
    return jsonify(menu={
        "richMenuId": menu["richMenuId"],
        "size": menu["size"],
        "chatBarText": menu.get("chatBarText", ""),
        "selected": bool(menu.get("selected")),
        "imageUrl": url_for("demo.rich_menu_image", menu_id=menu["richMenuId"]),
        "areas": [_area(a, user.user_id, liff_id) for a in menu.get("areas", []) if isinstance(a, dict)],
    })


@bp.get("/chat/richmenu/<menu_id>/image")
def rich_menu_image(menu_id: str):  # type: ignore[no-untyped-def]
    if not RICH_MENU_ID.fullmatch(menu_id):
        raise ConsoleError(404, ERR_NO_IMAGE)
    try:
        with urllib.request.urlopen(f"{_fake_url()}/_fake/richmenu/{menu_id}/image",
                                    timeout=FAKE_TIMEOUT_SECONDS) as answer:
            data, content_type = answer.read(), answer.headers.get("Content-Type", "image/png")
    except urllib.error.HTTPError as exc:
        raise ConsoleError(404, ERR_NO_IMAGE) from exc
    except OSError as exc:
        raise ConsoleError(502, ERR_FAKE_DOWN) from exc
    response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"  # a menu's image never changes
    return response
