"""Points' settings pages in the role matrix (tests/admin/test_role_matrix.py): anti-farming, the ranked
menu, badges. Marketers and owners; moderators are refused."""
from __future__ import annotations

from typing import Any

from linecomm.db import utcnow
from linecomm.points import badges
from tests.admin.console import Console, make_member

MARKETING = {"owner", "marketer"}
WORLD_KEYS = ("badge", "badge_member")


def world(console: Console) -> dict[str, Any]:
    with console.community.session() as s:
        badge = badges.create_manual(s, "オフ会参加", "", "🎉", "", "m@example.com", utcnow())
        member = make_member(s, nickname="バッジのひと")
        return {"badge": badge.code, "badge_member": member.id}


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    code, member = w["badge"], w["badge_member"]
    return [
        case("GET", "admin.points_farming", "/admin/points/farming", MARKETING),
        case("POST", "admin.points_farming_save", "/admin/points/farming/save", MARKETING,
             {"min_chars": "3", "similarity": "90", "lookback_days": "30"}),
        case("POST", "admin.point_ranks_menu", "/admin/points/ranks/menu", MARKETING, {"from_level": "1"}),
        case("GET", "admin.badges_page", "/admin/badges", MARKETING),
        case("POST", "admin.badge_create", "/admin/badges/new", MARKETING, {"name": "新しいバッジ", "emoji": "⭐"}),
        case("POST", "admin.badge_edit", f"/admin/badges/{code}/edit", MARKETING,
             {"name": "オフ会参加（東京）", "enabled": "1"}),
        case("POST", "admin.badge_award", f"/admin/badges/members/{member}/award", MARKETING,
             {"code": code, "reason": "オフ会に参加"}),
        case("POST", "admin.badge_revoke", f"/admin/badges/members/{member}/revoke", MARKETING,
             {"code": code, "reason": "誤って付与"}),
    ]
