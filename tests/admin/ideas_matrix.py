"""The idea routes in the role matrix (tests/admin/test_role_matrix.py): the rows they act on, and one case
per route. Marketers and owners may use them all; moderators may read the list, an idea and the settings."""
from __future__ import annotations

from typing import Any

from linecomm.db import utcnow
from linecomm.ideas import service
from linecomm.ideas.service import Draft
from tests.admin.console import Console, make_member

MARKETING = {"owner", "marketer"}
ALL = {"owner", "marketer", "moderator"}
WORLD_KEYS = ("idea",)


def world(console: Console) -> dict[str, Any]:
    """One published idea."""
    with console.community.session() as s:
        author = make_member(s, nickname="アイデアの人")
        idea = service.submit(s, author.id, Draft.read("棚の仕切り", "高さを変えられると便利です。", "商品"), utcnow())
        return {"idea": idea.id}


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    idea = w["idea"]
    return [
        case("GET", "admin.ideas", "/admin/ideas?stage=open", ALL),
        case("GET", "admin.idea_detail", f"/admin/ideas/{idea}", ALL),
        case("POST", "admin.idea_stage", f"/admin/ideas/{idea}/stage", MARKETING, {"stage": "review"}),
        case("GET", "admin.idea_settings", "/admin/ideas/settings", ALL),
        case("POST", "admin.idea_settings_save", "/admin/ideas/settings", MARKETING,
             {"threshold": "50", "window_days": "30"}),
        case("GET", "admin.ideas_csv", "/admin/ideas.csv", MARKETING),
    ]
