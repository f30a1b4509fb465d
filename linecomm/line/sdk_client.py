"""The real LineClient: line-bot-sdk v3 with explicit timeouts and translated errors."""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    RichMenuBulkLinkRequest,
    RichMenuBulkUnlinkRequest,
    RichMenuRequest,
)
from linebot.v3.messaging import Message as SdkMessage
from linebot.v3.messaging.exceptions import ApiException

from linecomm.config import data_base_url_for
from linecomm.line.client import (
    LineAlreadyAccepted,
    LineError,
    LineRejected,
    LineRetryable,
    Message,
    MonthlyLimitReached,
    Profile,
    Quota,
    ReplyTokenInvalid,
)
from linecomm.line.limits import MAX_MULTICAST_RECIPIENTS, check_messages
from linecomm.line.richmenu_rules import IMAGE_TYPES, MAX_BULK_USERS

T = TypeVar("T")
MAX_CONNECTIONS = 32  # kept-alive connections per client (see SdkLineClient.__init__)


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return None


def _message_of(exc: ApiException) -> str:
    try:
        body = json.loads(exc.body or b"{}")
    except (ValueError, TypeError):
        return str(exc.reason or exc.status)
    message = body.get("message") or str(exc.reason)
    details = body.get("details") or []
    if details:
        message += " (" + "; ".join(f"{d.get('property', '')}: {d.get('message', '')}" for d in details) + ")"
    return message


def translate(exc: Exception) -> LineError:
    """Map an SDK or transport error onto linecomm's exception tree."""
    if isinstance(exc, ApiException):
        status = exc.status or 0
        request_id = _header(exc.headers, "x-line-request-id")
        message = _message_of(exc)
        if status == 409:
            return LineAlreadyAccepted(message, _header(exc.headers, "x-line-accepted-request-id"))
        # LINE tells these two apart from other refusals only by the message; this is the one place that reads it.
        if status == 400 and "reply token" in message.lower():
            return ReplyTokenInvalid(message, status=status, request_id=request_id)
        if status == 429 and "monthly limit" in message.lower():
            return MonthlyLimitReached(message, status=status, request_id=request_id)
        if status == 0 or status == 429 or status >= 500:
            return LineRetryable(message, status=status or None, request_id=request_id)
        return LineRejected(message, status=status, request_id=request_id)
    return LineRetryable(f"{type(exc).__name__}: {exc}")


class _MulticastBody(MulticastRequest):
    """A MulticastRequest for up to 500 user IDs we have just checked ourselves. The messages still go
    through the SDK's models; the IDs skip pydantic's per-item validation and serialisation, which cost
    more CPU than the rest of the request put together (a push to a million members is 2,000 of these
    at LINE's 200 requests a second). The JSON is the same as MulticastRequest.to_dict() gives."""

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"to": list(self.to), "messages": [m.to_dict() for m in self.messages]}
        if self.notification_disabled is not None:
            body["notificationDisabled"] = self.notification_disabled
        return body


class _CheckedBody:
    """A request body whose messages line-bot-sdk's models have already accepted (see `_sdk_checked`).

    The SDK's generated request models validate on construction and serialise through pydantic on the
    way out: about 0.5 ms of CPU for a two-message reply with quick replies, more than the HTTP request
    itself, and most answers are the same few templates. Each distinct message list is validated by the
    SDK's `Message` models once per process (`_sdk_checked`); the body then serialises to the JSON it
    already is. The SDK's ApiClient still sends it (headers, auth, errors)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def to_dict(self) -> dict[str, Any]:
        return self._body


class _ApiClient(ApiClient):
    """line-bot-sdk's ApiClient, except that a `_CheckedBody` is sent as the JSON it already is: the SDK
    walks every request body value by value to make it JSON-ready (~0.2 ms for a reply with quick
    replies), which a body of plain JSON values does not need."""

    def sanitize_for_serialization(self, obj: Any) -> Any:
        if isinstance(obj, _CheckedBody):
            return obj.to_dict()
        return super().sanitize_for_serialization(obj)


@lru_cache(maxsize=1024)
def _sdk_checked(messages_json: str) -> None:
    """Raise unless line-bot-sdk v3's models accept every message (cached by the messages' JSON)."""
    for message in json.loads(messages_json):
        SdkMessage.from_dict(message)


def _check(messages: list[Message]) -> None:
    check_messages(messages)
    # A text message's `text` is a plain string to the SDK (its length is LINE's limit, checked above), so
    # it is left out of the cache key: a greeting that names each member is validated once, not per member.
    shapes = [{**m, "text": ""} if m.get("type") == "text" and isinstance(m.get("text"), str) else m
              for m in messages]
    try:
        _sdk_checked(json.dumps(shapes, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LineRejected(f"line-bot-sdk refused the messages: {exc}", status=None) from exc


# The generated API methods re-validate their arguments with pydantic's `validate_arguments` on every
# call; the hot ones are called through the undecorated function with arguments built above.
_reply_with_http_info = MessagingApi.reply_message_with_http_info.raw_function
_push_with_http_info = MessagingApi.push_message_with_http_info.raw_function
_profile_with_http_info = MessagingApi.get_profile_with_http_info.raw_function


def _configuration(host: str, access_token: str, max_connections: int) -> Configuration:
    config = Configuration(host=host.rstrip("/"), access_token=access_token)
    # No transparent retries: retries happen in linecomm, with the same X-Line-Retry-Key.
    config.retries = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0)
    # Connections are kept alive and reused; urllib3 keeps at most this many idle ones per host and
    # closes any extra after use, so it must cover every thread that shares this client (the SDK's
    # default is 5 per CPU core: 10 here, fewer than a gunicorn process's threads plus a push lane's).
    config.connection_pool_maxsize = max_connections
    return config


class SdkLineClient:
    """Talks to LINE (or the fake platform) at `api_base_url` through line-bot-sdk v3."""

    def __init__(self, access_token: str, api_base_url: str, timeout: float = 10.0, connect_timeout: float = 3.0,
                 max_connections: int = MAX_CONNECTIONS, data_api_base_url: str | None = None):
        self._api_client = _ApiClient(_configuration(api_base_url, access_token, max_connections))
        self._api = MessagingApi(self._api_client)
        # Content and rich menu images live on LINE's data host (api-data.line.me), with a client of its own.
        self._data_client = _ApiClient(_configuration(data_api_base_url or data_base_url_for(api_base_url),
                                                      access_token, max_connections))
        self._blob = MessagingApiBlob(self._data_client)
        self._timeout = (connect_timeout, timeout)

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, _request_timeout=self._timeout, **kwargs)
        except (ApiException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise translate(exc) from exc

    def reply(self, reply_token: str, messages: list[Message]) -> str | None:
        _check(messages)
        if not isinstance(reply_token, str) or not reply_token:
            raise ValueError("a reply needs its reply token")
        body = _CheckedBody({"replyToken": reply_token, "messages": messages})
        # The answer's body (the sent messages' ids) is not read into models: only its headers are used.
        response = self._call(_reply_with_http_info, self._api, body, _preload_content=False)
        return _header(response.headers, "x-line-request-id")

    def push(self, to: str, messages: list[Message], retry_key: str) -> str | None:
        _check(messages)
        if not isinstance(to, str) or not to:
            raise ValueError("a push needs a recipient")
        body = _CheckedBody({"to": to, "messages": messages})
        response = self._call(_push_with_http_info, self._api, body, x_line_retry_key=retry_key,
                              _preload_content=False)
        return _header(response.headers, "x-line-request-id")

    def multicast(self, to: list[str], messages: list[Message], retry_key: str) -> str | None:
        check_messages(messages)
        if not 1 <= len(to) <= MAX_MULTICAST_RECIPIENTS or not all(isinstance(u, str) and u for u in to):
            raise ValueError(f"multicast takes 1 to {MAX_MULTICAST_RECIPIENTS} user IDs")
        request = _MulticastBody.construct(to=list(to), messages=[SdkMessage.from_dict(m) for m in messages])
        response = self._call(self._api.multicast_with_http_info, request, x_line_retry_key=retry_key)
        return _header(response.headers, "x-line-request-id")

    def get_profile(self, user_id: str) -> Profile:
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("a profile needs a user id")
        p = self._call(_profile_with_http_info, self._api, user_id).data
        return Profile(
            user_id=p.user_id,
            display_name=p.display_name,
            picture_url=p.picture_url,
            language=p.language,
            status_message=p.status_message,
        )

    def get_quota(self) -> Quota:
        quota = self._call(self._api.get_message_quota)
        used = self._call(self._api.get_message_quota_consumption)
        limit = quota.value if quota.type == "limited" else None
        return Quota(limit=limit, used=used.total_usage)

    def get_content(self, message_id: str) -> tuple[bytes, str]:
        response = self._call(self._blob.get_message_content_with_http_info, message_id)
        content_type = _header(response.headers, "content-type") or "application/octet-stream"
        return bytes(response.data or response.raw_data or b""), content_type

    def leave_group(self, group_id: str) -> None:
        self._call(self._api.leave_group, group_id)

    def leave_room(self, room_id: str) -> None:
        self._call(self._api.leave_room, room_id)

    # --- rich menus ---------------------------------------------------------------------------------------

    def create_rich_menu(self, menu: dict[str, Any]) -> str:
        request = _rich_menu_request(menu)
        return str(self._call(self._api.create_rich_menu, request).rich_menu_id)

    def validate_rich_menu(self, menu: dict[str, Any]) -> None:
        self._call(self._api.validate_rich_menu_object, _rich_menu_request(menu))

    def set_rich_menu_image(self, rich_menu_id: str, data: bytes, content_type: str) -> None:
        if content_type not in IMAGE_TYPES:
            raise ValueError(f"a rich menu image is one of {', '.join(IMAGE_TYPES)}, not {content_type}")
        # The SDK ignores `_content_type` here: the header is what sets the image's type.
        self._call(self._blob.set_rich_menu_image, rich_menu_id, bytes(data),
                   _headers={"Content-Type": content_type})

    def list_rich_menus(self) -> list[dict[str, Any]]:
        listing = self._call(self._api.get_rich_menu_list)
        return [menu.to_dict() for menu in listing.richmenus or []]

    def delete_rich_menu(self, rich_menu_id: str) -> None:
        self._call(self._api.delete_rich_menu, rich_menu_id)

    def set_default_rich_menu(self, rich_menu_id: str) -> None:
        self._call(self._api.set_default_rich_menu, rich_menu_id)

    def get_default_rich_menu_id(self) -> str | None:
        try:
            return str(self._call(self._api.get_default_rich_menu_id).rich_menu_id)
        except LineRejected as exc:
            if exc.status == 404:  # no default menu set
                return None
            raise

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None:
        self._call(self._api.link_rich_menu_id_to_user, user_id, rich_menu_id)

    def unlink_rich_menu(self, user_id: str) -> None:
        self._call(self._api.unlink_rich_menu_id_from_user, user_id)

    def link_rich_menu_to_users(self, user_ids: list[str], rich_menu_id: str) -> None:
        _check_bulk(user_ids)
        request = RichMenuBulkLinkRequest(rich_menu_id=rich_menu_id, user_ids=list(user_ids))
        self._call(self._api.link_rich_menu_id_to_users, request)

    def unlink_rich_menu_from_users(self, user_ids: list[str]) -> None:
        _check_bulk(user_ids)
        self._call(self._api.unlink_rich_menu_id_from_users, RichMenuBulkUnlinkRequest(user_ids=list(user_ids)))

    def close(self) -> None:
        self._api_client.close()
        self._data_client.close()


def _rich_menu_request(menu: dict[str, Any]) -> RichMenuRequest:
    try:
        return RichMenuRequest.from_dict(menu)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LineRejected(f"line-bot-sdk refused the rich menu: {exc}", status=None) from exc


def _check_bulk(user_ids: list[str]) -> None:
    if not 1 <= len(user_ids) <= MAX_BULK_USERS or not all(isinstance(u, str) and u for u in user_ids):
        raise ValueError(f"a bulk rich menu request takes 1 to {MAX_BULK_USERS} user IDs")
