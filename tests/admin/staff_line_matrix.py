"""One's own LINE link on the account page in the role matrix (tests/admin/test_role_matrix.py): every
signed-in role manages its own link (nothing to set up: each acts on the signed-in staff member)."""
from __future__ import annotations

from typing import Any

from tests.admin.console import Console

ALL = {"owner", "marketer", "moderator"}
WORLD_KEYS: tuple[str, ...] = ()


def world(console: Console) -> dict[str, Any]:
    return {}


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    return [
        case("POST", "admin.issue_line_code", "/admin/account/line/code", ALL),
        case("POST", "admin.set_weekly_summary", "/admin/account/line/weekly", ALL, {"weekly": "on"}),
        case("POST", "admin.unlink_line", "/admin/account/line/unlink", ALL),
    ]
