"""The checks LINE makes on send requests and message objects, with LINE's error details.

Each check returns a list of details in LINE's shape, `{"message": ..., "property": ...}`; an empty list
means LINE would accept the request. Messages follow the wording LINE answers with ("May not be empty",
"Length must be between 0 and 5000", "Size must be between 1 and 5", "Must be one of the following
values: [...]"); lengths are counted in UTF-16 code units, as LINE counts them.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGES = 5
MAX_MULTICAST_RECIPIENTS = 500
MAX_TEXT = 5000
MAX_FLEX_ALT_TEXT = 1500
MAX_TEMPLATE_ALT_TEXT = 400
MAX_URL = 2000
MAX_QUICK_REPLY_ITEMS = 13
MAX_QUICK_REPLY_LABEL = 20
MAX_ACTION_LABEL = 20
MAX_POSTBACK_DATA = 300
MAX_ACTION_TEXT = 300
MAX_URI = 1000
FLEX_BUBBLE_MAX_BYTES = 30 * 1024
FLEX_CAROUSEL_MAX_BYTES = 50 * 1024
MAX_CAROUSEL_BUBBLES = 12

MESSAGE_TYPES = ("text", "image", "video", "audio", "location", "sticker", "template", "imagemap", "flex")
ACTION_TYPES = ("postback", "message", "uri", "datetimepicker", "camera", "cameraRoll", "location",
                "richmenuswitch", "clipboard")
TEMPLATE_TYPES = ("buttons", "confirm", "carousel", "image_carousel")

Details = list[dict[str, str]]


def utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, as LINE counts characters."""
    return len(text.encode("utf-16-le")) // 2


def detail(message: str, prop: str) -> dict[str, str]:
    """Build one LINE error detail."""
    return {"message": message, "property": prop}


def _one_of(values: tuple[str, ...]) -> str:
    return f"Must be one of the following values: [{', '.join(values)}]"


def _string(obj: dict[str, Any], key: str, prop: str, out: Details, *, required: bool,
            max_len: int | None = None) -> str | None:
    """Check that obj[key] is a string within max_len UTF-16 units; required means non-empty."""
    value = obj.get(key)
    if value is None or value == "":
        if required:
            out.append(detail("May not be empty", f"{prop}.{key}"))
        return None
    if not isinstance(value, str):
        out.append(detail("Must be a string", f"{prop}.{key}"))
        return None
    if max_len is not None and utf16_len(value) > max_len:
        out.append(detail(f"Length must be between 0 and {max_len}", f"{prop}.{key}"))
    return value


def _https_url(obj: dict[str, Any], key: str, prop: str, out: Details, *, required: bool) -> None:
    """Check an image/video URL: present if required, HTTPS, at most 2,000 characters."""
    value = _string(obj, key, prop, out, required=required, max_len=MAX_URL)
    if value is not None and not value.startswith("https://"):
        out.append(detail("Must be a valid HTTPS URL", f"{prop}.{key}"))


def _sized_list(obj: dict[str, Any], key: str, prop: str, out: Details, low: int, high: int) -> list[Any]:
    """Check that obj[key] is a list of low..high items; return it (or [] when it is not a list)."""
    value = obj.get(key)
    if value is None:
        out.append(detail("May not be empty", f"{prop}.{key}"))
        return []
    if not isinstance(value, list):
        out.append(detail("Must be an array", f"{prop}.{key}"))
        return []
    if not low <= len(value) <= high:
        out.append(detail(f"Size must be between {low} and {high}", f"{prop}.{key}"))
    return value


def validate_action(action: Any, prop: str, out: Details, *, label_required: bool,
                    max_label: int = MAX_ACTION_LABEL) -> None:
    """Check an action object (postback, message, uri, ...) as LINE does."""
    if not isinstance(action, dict):
        out.append(detail("May not be empty", prop))
        return
    kind = action.get("type")
    if not kind:
        out.append(detail("May not be empty", f"{prop}.type"))
        return
    if kind not in ACTION_TYPES:
        out.append(detail(_one_of(ACTION_TYPES), f"{prop}.type"))
        return
    _string(action, "label", prop, out, required=label_required, max_len=max_label)
    if kind == "postback":
        _string(action, "data", prop, out, required=True, max_len=MAX_POSTBACK_DATA)
        _string(action, "displayText", prop, out, required=False, max_len=MAX_ACTION_TEXT)
        _string(action, "text", prop, out, required=False, max_len=MAX_ACTION_TEXT)
    elif kind == "message":
        _string(action, "text", prop, out, required=True, max_len=MAX_ACTION_TEXT)
    elif kind == "uri":
        uri = _string(action, "uri", prop, out, required=True, max_len=MAX_URI)
        if uri is not None and not uri.startswith(("http://", "https://", "line://", "tel:")):
            out.append(detail("Must be a valid URI (http, https, line or tel)", f"{prop}.uri"))
    elif kind == "datetimepicker":
        _string(action, "data", prop, out, required=True, max_len=MAX_POSTBACK_DATA)
        if action.get("mode") not in ("date", "time", "datetime"):
            out.append(detail(_one_of(("date", "time", "datetime")), f"{prop}.mode"))
    elif kind == "richmenuswitch":
        _string(action, "richMenuAliasId", prop, out, required=True, max_len=32)
        _string(action, "data", prop, out, required=True, max_len=MAX_POSTBACK_DATA)
    elif kind == "clipboard":
        _string(action, "clipText", prop, out, required=True, max_len=1000)


def _quick_reply(message: dict[str, Any], prop: str, out: Details) -> None:
    quick = message.get("quickReply")
    if quick is None:
        return
    if not isinstance(quick, dict):
        out.append(detail("Must be an object", f"{prop}.quickReply"))
        return
    items = _sized_list(quick, "items", f"{prop}.quickReply", out, 1, MAX_QUICK_REPLY_ITEMS)
    for i, item in enumerate(items):
        item_prop = f"{prop}.quickReply.items[{i}]"
        if not isinstance(item, dict):
            out.append(detail("May not be empty", item_prop))
            continue
        if item.get("type") != "action":
            out.append(detail(_one_of(("action",)), f"{item_prop}.type"))
        _https_url(item, "imageUrl", item_prop, out, required=False)
        validate_action(item.get("action"), f"{item_prop}.action", out, label_required=True,
                        max_label=MAX_QUICK_REPLY_LABEL)


def _text(message: dict[str, Any], prop: str, out: Details) -> None:
    _string(message, "text", prop, out, required=True, max_len=MAX_TEXT)


def _image(message: dict[str, Any], prop: str, out: Details) -> None:
    _https_url(message, "originalContentUrl", prop, out, required=True)
    _https_url(message, "previewImageUrl", prop, out, required=True)


def _audio(message: dict[str, Any], prop: str, out: Details) -> None:
    _https_url(message, "originalContentUrl", prop, out, required=True)
    if not isinstance(message.get("duration"), int):
        out.append(detail("May not be empty", f"{prop}.duration"))


def _location(message: dict[str, Any], prop: str, out: Details) -> None:
    _string(message, "title", prop, out, required=True, max_len=100)
    _string(message, "address", prop, out, required=True, max_len=100)
    for key in ("latitude", "longitude"):
        if not isinstance(message.get(key), int | float):
            out.append(detail("May not be empty", f"{prop}.{key}"))


def _sticker(message: dict[str, Any], prop: str, out: Details) -> None:
    _string(message, "packageId", prop, out, required=True)
    _string(message, "stickerId", prop, out, required=True)


def _imagemap(message: dict[str, Any], prop: str, out: Details) -> None:
    _https_url(message, "baseUrl", prop, out, required=True)
    _string(message, "altText", prop, out, required=True, max_len=MAX_TEMPLATE_ALT_TEXT)
    if not isinstance(message.get("baseSize"), dict):
        out.append(detail("May not be empty", f"{prop}.baseSize"))
    _sized_list(message, "actions", prop, out, 1, 50)


def _template(message: dict[str, Any], prop: str, out: Details) -> None:
    _string(message, "altText", prop, out, required=True, max_len=MAX_TEMPLATE_ALT_TEXT)
    template = message.get("template")
    tprop = f"{prop}.template"
    if not isinstance(template, dict):
        out.append(detail("May not be empty", tprop))
        return
    kind = template.get("type")
    if kind not in TEMPLATE_TYPES:
        out.append(detail(_one_of(TEMPLATE_TYPES), f"{tprop}.type"))
        return
    if kind == "buttons":
        _column(template, tprop, out, max_text=160, max_text_with_header=60, max_actions=4)
    elif kind == "confirm":
        _string(template, "text", tprop, out, required=True, max_len=240)
        for i, action in enumerate(_sized_list(template, "actions", tprop, out, 2, 2)):
            validate_action(action, f"{tprop}.actions[{i}]", out, label_required=True)
    elif kind == "carousel":
        for i, column in enumerate(_sized_list(template, "columns", tprop, out, 1, 10)):
            cprop = f"{tprop}.columns[{i}]"
            if isinstance(column, dict):
                _column(column, cprop, out, max_text=120, max_text_with_header=60, max_actions=3)
            else:
                out.append(detail("May not be empty", cprop))
    else:  # image_carousel
        for i, column in enumerate(_sized_list(template, "columns", tprop, out, 1, 10)):
            cprop = f"{tprop}.columns[{i}]"
            if not isinstance(column, dict):
                out.append(detail("May not be empty", cprop))
                continue
            _https_url(column, "imageUrl", cprop, out, required=True)
            validate_action(column.get("action"), f"{cprop}.action", out, label_required=False,
                            max_label=12)


def _column(obj: dict[str, Any], prop: str, out: Details, *, max_text: int, max_text_with_header: int,
            max_actions: int) -> None:
    """Check a buttons template or a carousel column: title, text, thumbnail and actions."""
    has_header = bool(obj.get("title")) or bool(obj.get("thumbnailImageUrl"))
    _string(obj, "title", prop, out, required=False, max_len=40)
    _string(obj, "text", prop, out, required=True, max_len=max_text_with_header if has_header else max_text)
    _https_url(obj, "thumbnailImageUrl", prop, out, required=False)
    if obj.get("defaultAction") is not None:
        validate_action(obj["defaultAction"], f"{prop}.defaultAction", out, label_required=False)
    for i, action in enumerate(_sized_list(obj, "actions", prop, out, 1, max_actions)):
        validate_action(action, f"{prop}.actions[{i}]", out, label_required=True)


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _flex(message: dict[str, Any], prop: str, out: Details) -> None:
    _string(message, "altText", prop, out, required=True, max_len=MAX_FLEX_ALT_TEXT)
    contents = message.get("contents")
    cprop = f"{prop}.contents"
    if not isinstance(contents, dict):
        out.append(detail("May not be empty", cprop))
        return
    kind = contents.get("type")
    if kind == "bubble":
        if _json_size(contents) > FLEX_BUBBLE_MAX_BYTES:
            out.append(detail(f"Size of a bubble must be at most {FLEX_BUBBLE_MAX_BYTES} bytes", cprop))
        _flex_tree(contents, cprop, out)
    elif kind == "carousel":
        bubbles = _sized_list(contents, "contents", cprop, out, 1, MAX_CAROUSEL_BUBBLES)
        if _json_size(contents) > FLEX_CAROUSEL_MAX_BYTES:
            out.append(detail(f"Size of a carousel must be at most {FLEX_CAROUSEL_MAX_BYTES} bytes", cprop))
        for i, bubble in enumerate(bubbles):
            bprop = f"{cprop}.contents[{i}]"
            if not isinstance(bubble, dict) or bubble.get("type") != "bubble":
                out.append(detail(_one_of(("bubble",)), f"{bprop}.type"))
                continue
            if _json_size(bubble) > FLEX_BUBBLE_MAX_BYTES:
                out.append(detail(f"Size of a bubble must be at most {FLEX_BUBBLE_MAX_BYTES} bytes", bprop))
            _flex_tree(bubble, bprop, out)
    else:
        out.append(detail(_one_of(("bubble", "carousel")), f"{cprop}.type"))


def _flex_tree(node: Any, prop: str, out: Details) -> None:
    """Walk a Flex container's components, checking the parts LINE rejects most often."""
    if isinstance(node, list):
        for i, child in enumerate(node):
            _flex_tree(child, f"{prop}[{i}]", out)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "box":
        if node.get("layout") not in ("horizontal", "vertical", "baseline"):
            out.append(detail(_one_of(("horizontal", "vertical", "baseline")), f"{prop}.layout"))
        if not isinstance(node.get("contents"), list):
            out.append(detail("May not be empty", f"{prop}.contents"))
    elif kind == "text" and not node.get("text") and not node.get("contents"):
        out.append(detail("May not be empty", f"{prop}.text"))
    elif kind == "image":
        _https_url(node, "url", prop, out, required=True)
    elif kind == "button" and not isinstance(node.get("action"), dict):
        out.append(detail("May not be empty", f"{prop}.action"))
    for key, value in node.items():
        if key == "action" and isinstance(value, dict):
            validate_action(value, f"{prop}.action", out, label_required=False, max_label=40)
        elif isinstance(value, dict | list):
            _flex_tree(value, f"{prop}.{key}", out)


_BY_TYPE = {
    "text": _text, "image": _image, "video": _image, "audio": _audio, "location": _location,
    "sticker": _sticker, "template": _template, "imagemap": _imagemap, "flex": _flex,
}


def validate_message(message: Any, prop: str) -> Details:
    """Check one message object; `prop` is where it sits in the request, e.g. `messages[0]`."""
    out: Details = []
    if not isinstance(message, dict):
        return [detail("May not be empty", prop)]
    kind = message.get("type")
    if not kind:
        return [detail("May not be empty", f"{prop}.type")]
    if kind not in _BY_TYPE:
        return [detail(_one_of(MESSAGE_TYPES), f"{prop}.type")]
    _BY_TYPE[kind](message, prop, out)
    _quick_reply(message, prop, out)
    sender = message.get("sender")
    if isinstance(sender, dict):
        _string(sender, "name", f"{prop}.sender", out, required=False, max_len=20)
        _https_url(sender, "iconUrl", f"{prop}.sender", out, required=False)
    return out


def validate_messages(body: dict[str, Any]) -> Details:
    """Check `body["messages"]`: 1 to 5 message objects, each valid."""
    messages = body.get("messages")
    if messages is None:
        return [detail("May not be empty", "messages")]
    if not isinstance(messages, list):
        return [detail("Must be an array", "messages")]
    if not 1 <= len(messages) <= MAX_MESSAGES:
        return [detail(f"Size must be between 1 and {MAX_MESSAGES}", "messages")]
    out: Details = []
    for i, message in enumerate(messages):
        out.extend(validate_message(message, f"messages[{i}]"))
    return out


def validate_send_request(body: dict[str, Any], kind: str) -> Details:
    """Check a reply/push/multicast/broadcast/narrowcast body the way LINE does before sending."""
    out: Details = []
    if kind == "reply":
        token = body.get("replyToken")
        if not isinstance(token, str) or not token:
            out.append(detail("May not be empty", "replyToken"))
    elif kind == "push":
        to = body.get("to")
        if not isinstance(to, str) or not to:
            out.append(detail("May not be empty", "to"))
    elif kind == "multicast":
        to = body.get("to")
        if to is None:
            out.append(detail("May not be empty", "to"))
        elif not isinstance(to, list) or not all(isinstance(user, str) and user for user in to):
            out.append(detail("Must be an array of user IDs", "to"))
        elif not 1 <= len(to) <= MAX_MULTICAST_RECIPIENTS:
            out.append(detail(f"Size must be between 1 and {MAX_MULTICAST_RECIPIENTS}", "to"))
    notification = body.get("notificationDisabled")
    if notification is not None and not isinstance(notification, bool):
        out.append(detail("Must be a boolean", "notificationDisabled"))
    out.extend(validate_messages(body))
    return out
