"""The client interface linecomm uses to talk to LINE, and the short exception tree it raises.

Messages are plain dicts in LINE's JSON shape ({"type": "text", "text": ...}); they are checked against
LINE's limits (linecomm.line.limits) before they leave the process.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

Message = dict[str, Any]


class LineError(Exception):
    """Any failure talking to LINE."""

    def __init__(self, message: str, status: int | None = None, request_id: str | None = None):
        super().__init__(message)
        self.status = status
        self.request_id = request_id


class LineRetryable(LineError):
    """Try again later with the same retry key: 429, 5xx, timeouts, connection errors."""


class LineRejected(LineError):
    """LINE refused the request for good (4xx other than 409/429); retrying will not help."""


class ReplyTokenInvalid(LineRejected):
    """400 "Invalid reply token": the token was used already or has expired (LINE does not say which).
    A push under the message's retry key can still deliver it."""


class MonthlyLimitReached(LineRejected):
    """429 "You have reached your monthly limit.": LINE takes no more billed messages this month; trying
    again will not help until the quota is raised or the month turns."""


class LineAlreadyAccepted(LineError):
    """409 for a repeated X-Line-Retry-Key: LINE accepted this send before. Counts as success."""

    def __init__(self, message: str, accepted_request_id: str | None = None):
        super().__init__(message, status=409)
        self.accepted_request_id = accepted_request_id


@dataclass(frozen=True)
class Profile:
    user_id: str
    display_name: str
    picture_url: str | None = None
    language: str | None = None
    status_message: str | None = None


@dataclass(frozen=True)
class Quota:
    limit: int | None  # None: no monthly limit
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


class LineClient(Protocol):
    def reply(self, reply_token: str, messages: list[Message]) -> str | None:
        """Send a reply (free). Returns LINE's request id."""

    def push(self, to: str, messages: list[Message], retry_key: str) -> str | None:
        """Push to one user/group (billed). Raises LineAlreadyAccepted when `retry_key` was used."""

    def multicast(self, to: list[str], messages: list[Message], retry_key: str) -> str | None:
        """Push to up to 500 users (billed per recipient)."""

    def get_profile(self, user_id: str) -> Profile: ...

    def get_quota(self) -> Quota: ...

    def get_content(self, message_id: str) -> tuple[bytes, str]:
        """The content a user sent (image, video, audio, file) and its content type."""

    def leave_group(self, group_id: str) -> None: ...

    def leave_room(self, room_id: str) -> None: ...

    # Rich menus (LINE's rules: linecomm.line.richmenu_rules). Menus are dicts in LINE's JSON shape.
    def create_rich_menu(self, menu: dict[str, Any]) -> str:
        """Create a rich menu; returns its richMenuId."""

    def validate_rich_menu(self, menu: dict[str, Any]) -> None:
        """Raise LineRejected when LINE would refuse this rich menu object."""

    def set_rich_menu_image(self, rich_menu_id: str, data: bytes, content_type: str) -> None:
        """Upload a menu's image (once per menu; api-data.line.me)."""

    def list_rich_menus(self) -> list[dict[str, Any]]: ...

    def delete_rich_menu(self, rich_menu_id: str) -> None: ...

    def set_default_rich_menu(self, rich_menu_id: str) -> None: ...

    def get_default_rich_menu_id(self) -> str | None: ...

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None: ...

    def unlink_rich_menu(self, user_id: str) -> None:
        """Back to the default menu."""

    def link_rich_menu_to_users(self, user_ids: list[str], rich_menu_id: str) -> None:
        """Bulk link, up to 500 users (LINE answers 202 and links them shortly after)."""

    def unlink_rich_menu_from_users(self, user_ids: list[str]) -> None: ...
