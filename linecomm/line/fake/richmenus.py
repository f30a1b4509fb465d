"""The rich menu endpoints of the fake LINE platform (`/v2/bot/richmenu...`, `/v2/bot/user/.../richmenu`).

They check what LINE checks (linecomm.line.richmenu_rules): the size (800-2,500 px wide, at least 250 high,
width/height at least 1.45), 1 to 20 areas inside it with valid actions, `name` <= 300 and `chatBarText`
<= 14 characters, 1,000 menus per channel; an image (PNG or JPEG, <= 1 MB, exactly the menu's size) may be
uploaded once per menu, and a menu without its image cannot be linked or made the default. Bulk link and
unlink take 1 to 500 user IDs and answer 202. Each user's menu (linked, else the default) is kept so tests
and the demo console can show it (`ChannelState.rich_menus.shown_to`).
"""

from __future__ import annotations

import secrets
from typing import Any

from linecomm.line import richmenu_rules as rules
from linecomm.line.fake.messaging import USER_ID_PATTERN, parse_json_body
from linecomm.line.fake.records import Call, Reply, error_reply
from linecomm.line.fake.state import ChannelState
from linecomm.line.fake.validation import Details, detail, utf16_len, validate_action

NOT_FOUND = "Not found"
RICH_MENU_NOT_FOUND = "richmenu not found"
NO_IMAGE = "must upload richmenu image before applying it to user"
IMAGE_ALREADY = "An image has already been uploaded to the richmenu"
TOO_MANY = f"The number of rich menus has reached the upper limit ({rules.MAX_RICH_MENUS})"
# Actions a rich menu area takes (LINE refuses the others, e.g. camera and location, in a rich menu).
AREA_ACTIONS = ("postback", "message", "uri", "datetimepicker", "richmenuswitch", "clipboard")


def _details_reply(details: Details) -> Reply:
    return error_reply(400, f"The request body has {len(details)} error(s)", details)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_rich_menu(body: dict[str, Any]) -> Details:
    """Check a rich menu object as LINE does before creating it."""
    out: Details = []
    size = body.get("size")
    width = height = None
    if not isinstance(size, dict):
        out.append(detail("May not be empty", "size"))
    else:
        width, height = size.get("width"), size.get("height")
        if not rules.size_ok(width, height):
            out.append(detail(f"Width must be between {rules.MIN_WIDTH} and {rules.MAX_WIDTH}, height at least "
                              f"{rules.MIN_HEIGHT}, and width/height at least {rules.MIN_ASPECT_RATIO}", "size"))
            width = height = None
    if not isinstance(body.get("selected"), bool):
        out.append(detail("May not be empty", "selected"))
    for key, limit in (("name", rules.MAX_NAME), ("chatBarText", rules.MAX_CHAT_BAR_TEXT)):
        value = body.get(key)
        if not isinstance(value, str) or not value:
            out.append(detail("May not be empty", key))
        elif utf16_len(value) > limit:
            out.append(detail(f"Length must be between 0 and {limit}", key))
    areas = body.get("areas")
    if not isinstance(areas, list):
        out.append(detail("May not be empty", "areas"))
        return out
    if not 1 <= len(areas) <= rules.MAX_AREAS:
        out.append(detail(f"Size must be between 1 and {rules.MAX_AREAS}", "areas"))
    for i, area in enumerate(areas):
        prop = f"areas[{i}]"
        if not isinstance(area, dict):
            out.append(detail("May not be empty", prop))
            continue
        bounds = area.get("bounds")
        keys = ("x", "y", "width", "height")
        if not isinstance(bounds, dict) or not all(_int(bounds.get(k)) for k in keys):
            out.append(detail("May not be empty", f"{prop}.bounds"))
        elif (min(bounds[k] for k in keys) < 0 or bounds["width"] == 0 or bounds["height"] == 0
              or (width is not None and height is not None
                  and (bounds["x"] + bounds["width"] > width or bounds["y"] + bounds["height"] > height))):
            out.append(detail("Must be within the rich menu's size", f"{prop}.bounds"))
        action = area.get("action")
        if isinstance(action, dict) and action.get("type") not in AREA_ACTIONS:
            out.append(detail(f"Must be one of the following values: [{', '.join(AREA_ACTIONS)}]",
                              f"{prop}.action.type"))
        else:
            validate_action(action, f"{prop}.action", out, label_required=False)
    return out


def _menu_body(call: Call) -> tuple[dict[str, Any] | None, Reply | None]:
    body, failure = parse_json_body(call.body)
    if failure is not None:
        return None, failure
    assert body is not None
    details = validate_rich_menu(body)
    return (None, _details_reply(details)) if details else (body, None)


def create(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/richmenu"""
    body, failure = _menu_body(call)
    if failure is not None:
        return failure
    assert body is not None
    with state.lock:
        store = state.rich_menus
        if len(store.menus) >= rules.MAX_RICH_MENUS:
            return error_reply(400, TOO_MANY)
        menu_id = "richmenu-" + secrets.token_hex(16)
        store.menus[menu_id] = {"richMenuId": menu_id, **body}
    return Reply(200, {"richMenuId": menu_id})


def validate(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/richmenu/validate"""
    _, failure = _menu_body(call)
    return failure if failure is not None else Reply(200, {})


def get(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/richmenu/{richMenuId}"""
    with state.lock:
        menu = state.rich_menus.menus.get(call.params["richMenuId"])
        return Reply(200, dict(menu)) if menu is not None else error_reply(404, RICH_MENU_NOT_FOUND)


def delete(state: ChannelState, call: Call) -> Reply:
    """DELETE /v2/bot/richmenu/{richMenuId}: the menu, its image, and it as anyone's menu."""
    menu_id = call.params["richMenuId"]
    with state.lock:
        store = state.rich_menus
        if store.menus.pop(menu_id, None) is None:
            return error_reply(404, RICH_MENU_NOT_FOUND)
        store.images.pop(menu_id, None)
        if store.default_id == menu_id:
            store.default_id = None
        for user_id in [u for u, linked in store.linked.items() if linked == menu_id]:
            del store.linked[user_id]
    return Reply(200, {})


def list_menus(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/richmenu/list"""
    with state.lock:
        return Reply(200, {"richmenus": [dict(m) for m in state.rich_menus.menus.values()]})


def upload_image(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/richmenu/{richMenuId}/content (api-data.line.me)"""
    menu_id = call.params["richMenuId"]
    content_type = call.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in rules.IMAGE_TYPES:
        return error_reply(415, "Unsupported Media Type: the image must be image/png or image/jpeg")
    if len(call.body) > rules.MAX_IMAGE_BYTES:
        return error_reply(413, "Request Entity Too Large: the image must be at most 1MB")
    info = rules.image_info(call.body)
    if info is None or info.content_type != content_type:
        return error_reply(400, "The image could not be read as the content type says")
    with state.lock:
        store = state.rich_menus
        menu = store.menus.get(menu_id)
        if menu is None:
            return error_reply(404, RICH_MENU_NOT_FOUND)
        if menu_id in store.images:
            return error_reply(400, IMAGE_ALREADY)
        size = menu["size"]
        if (info.width, info.height) != (size["width"], size["height"]):
            return error_reply(400, f"The image must be {size['width']}x{size['height']} pixels like the rich "
                                    f"menu, not {info.width}x{info.height}")
        store.images[menu_id] = (bytes(call.body), content_type)
    return Reply(200, {})


def download_image(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/richmenu/{richMenuId}/content (api-data.line.me)"""
    with state.lock:
        image = state.rich_menus.images.get(call.params["richMenuId"])
    if image is None:
        return error_reply(404, NOT_FOUND)
    return Reply(200, data=image[0], content_type=image[1])


def _usable(state: ChannelState, menu_id: str) -> Reply | None:
    """LINE's refusal to apply this menu (unknown, or no image yet), or None. Call with the lock held."""
    store = state.rich_menus
    if menu_id not in store.menus:
        return error_reply(404, RICH_MENU_NOT_FOUND)
    if menu_id not in store.images:
        return error_reply(400, NO_IMAGE)
    return None


def set_default(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/user/all/richmenu/{richMenuId}"""
    menu_id = call.params["richMenuId"]
    with state.lock:
        refusal = _usable(state, menu_id)
        if refusal is not None:
            return refusal
        state.rich_menus.default_id = menu_id
    return Reply(200, {})


def get_default(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/user/all/richmenu"""
    with state.lock:
        menu_id = state.rich_menus.default_id
    return Reply(200, {"richMenuId": menu_id}) if menu_id else error_reply(404, "no default richmenu")


def cancel_default(state: ChannelState, call: Call) -> Reply:
    """DELETE /v2/bot/user/all/richmenu"""
    with state.lock:
        state.rich_menus.default_id = None
    return Reply(200, {})


def _bad_user(user_id: str) -> Reply | None:
    if not USER_ID_PATTERN.fullmatch(user_id):
        return error_reply(400, "The value for the 'userId' parameter is invalid")
    return None


def link_user(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/user/{userId}/richmenu/{richMenuId}"""
    user_id, menu_id = call.params["userId"], call.params["richMenuId"]
    refusal = _bad_user(user_id)
    if refusal is not None:
        return refusal
    with state.lock:
        refusal = _usable(state, menu_id)
        if refusal is not None:
            return refusal
        state.rich_menus.linked[user_id] = menu_id
    return Reply(200, {})


def unlink_user(state: ChannelState, call: Call) -> Reply:
    """DELETE /v2/bot/user/{userId}/richmenu: back to the default menu."""
    user_id = call.params["userId"]
    refusal = _bad_user(user_id)
    if refusal is not None:
        return refusal
    with state.lock:
        state.rich_menus.linked.pop(user_id, None)
    return Reply(200, {})


def get_user_menu(state: ChannelState, call: Call) -> Reply:
    """GET /v2/bot/user/{userId}/richmenu: the menu linked to this user (not the default one)."""
    user_id = call.params["userId"]
    refusal = _bad_user(user_id)
    if refusal is not None:
        return refusal
    with state.lock:
        menu_id = state.rich_menus.linked.get(user_id)
    return Reply(200, {"richMenuId": menu_id}) if menu_id else error_reply(404, "the user has no richmenu")


def _user_ids(body: dict[str, Any]) -> tuple[list[str], Details]:
    user_ids = body.get("userIds")
    if not isinstance(user_ids, list) or not user_ids:
        return [], [detail("May not be empty", "userIds")]
    if len(user_ids) > rules.MAX_BULK_USERS:
        return [], [detail(f"Size must be between 1 and {rules.MAX_BULK_USERS}", "userIds")]
    bad = [i for i, u in enumerate(user_ids) if not isinstance(u, str) or not USER_ID_PATTERN.fullmatch(u)]
    return user_ids, [detail("Must be a user ID", f"userIds[{i}]") for i in bad]


def bulk_link(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/richmenu/bulk/link: 202, the links are made (LINE makes them shortly after)."""
    body, failure = parse_json_body(call.body)
    if failure is not None:
        return failure
    assert body is not None
    user_ids, details = _user_ids(body)
    menu_id = body.get("richMenuId")
    if not isinstance(menu_id, str) or not menu_id:
        details.append(detail("May not be empty", "richMenuId"))
    if details:
        return _details_reply(details)
    with state.lock:
        refusal = _usable(state, menu_id)
        if refusal is not None:
            return refusal
        for user_id in user_ids:
            state.rich_menus.linked[user_id] = menu_id
    return Reply(202, {})


def bulk_unlink(state: ChannelState, call: Call) -> Reply:
    """POST /v2/bot/richmenu/bulk/unlink: 202"""
    body, failure = parse_json_body(call.body)
    if failure is not None:
        return failure
    assert body is not None
    user_ids, details = _user_ids(body)
    if details:
        return _details_reply(details)
    with state.lock:
        for user_id in user_ids:
            state.rich_menus.linked.pop(user_id, None)
    return Reply(202, {})


# Before the templated `/v2/bot/user/<userId>/...` routes, so that `all` is not taken for a user ID.
ROUTES: list[tuple[str, str, Any]] = [
    ("/v2/bot/richmenu", "POST", create),
    ("/v2/bot/richmenu/validate", "POST", validate),
    ("/v2/bot/richmenu/list", "GET", list_menus),
    ("/v2/bot/richmenu/bulk/link", "POST", bulk_link),
    ("/v2/bot/richmenu/bulk/unlink", "POST", bulk_unlink),
    ("/v2/bot/richmenu/<richMenuId>", "GET", get),
    ("/v2/bot/richmenu/<richMenuId>", "DELETE", delete),
    ("/v2/bot/richmenu/<richMenuId>/content", "POST", upload_image),
    ("/v2/bot/richmenu/<richMenuId>/content", "GET", download_image),
    ("/v2/bot/user/all/richmenu", "GET", get_default),
    ("/v2/bot/user/all/richmenu", "DELETE", cancel_default),
    ("/v2/bot/user/all/richmenu/<richMenuId>", "POST", set_default),
    ("/v2/bot/user/<userId>/richmenu", "GET", get_user_menu),
    ("/v2/bot/user/<userId>/richmenu", "DELETE", unlink_user),
    ("/v2/bot/user/<userId>/richmenu/<richMenuId>", "POST", link_user),
]
