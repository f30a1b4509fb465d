"""The two rich menus, in one place: what each area says and does. Add a feature's area to a list below
(reviews, ideas, points...), re-render the default images (scripts/render_rich_menus.py) and deploy.

Areas are laid out on a grid, so the same layout fits the shipped image or a marketer's own image of
another size (LINE's rules: linecomm.line.richmenu_rules).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from linecomm.config import Settings

JOIN = "join"
COMMUNITY = "community"
RANKED = "ranked"  # the community menu in the colours of the ranks marketers choose (linecomm.richmenu.service)
KINDS = (JOIN, COMMUNITY, RANKED)
NAME_PREFIX = "linecomm:"  # every menu linecomm creates is named "linecomm:<kind>:<digest>"
WIDTH, ROW_HEIGHT, MAX_HEIGHT = 1200, 405, 810  # the shipped images: 1200x405 per row, at most 1200x810


@dataclass(frozen=True)
class Area:
    key: str
    label: str  # drawn on the image; also the action's label (read aloud by screen readers), <= 20 chars
    caption: str  # the smaller line under the label on the shipped image
    kind: str  # "message" (sends `target` as the user), "liff" (opens LIFF path `target`), "privacy"
    target: str = ""


@dataclass(frozen=True)
class MenuLayout:
    kind: str
    chat_bar_text: str  # <= 14 characters
    areas: tuple[Area, ...]

    @property
    def columns(self) -> int:
        n = len(self.areas)
        return 2 if n in (2, 4) else min(3, n)

    @property
    def rows(self) -> int:
        return math.ceil(len(self.areas) / self.columns)

    @property
    def default_size(self) -> tuple[int, int]:
        return WIDTH, min(ROW_HEIGHT * self.rows, MAX_HEIGHT)

    def bounds(self, size: tuple[int, int]) -> list[dict[str, int]]:
        """Each area's rectangle on a menu of `size`: a grid that tiles the whole menu (the last area of a
        short row stretches to the right edge)."""
        width, height = size
        out = []
        for i, _area in enumerate(self.areas):
            row, col = divmod(i, self.columns)
            in_row = min(self.columns, len(self.areas) - row * self.columns)
            x0, x1 = width * col // in_row, width * (col + 1) // in_row
            y0, y1 = height * row // self.rows, height * (row + 1) // self.rows
            out.append({"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0})
        return out


# The places every member's menu opens (the community menu, and the ranked one in gold).
_SURVEYS = Area("surveys", "アンケート", "ご意見をお聞かせください", "liff", "/surveys")
_REVIEWS = Area("reviews", "レビュー", "商品の感想を見る・書く", "liff", "/reviews")
_IDEAS = Area("ideas", "アイデア", "商品づくりに参加", "liff", "/ideas")
_QA = Area("qa", "質問", "みんなに聞く・答える", "liff", "/qa")
_ME = Area("me", "マイページ", "ニックネーム・履歴", "liff", "/me")
_HELP = Area("help", "使い方", "ヘルプを見る", "message", "ヘルプ")

# 参加する sends the join keyword the join flow understands (linecomm.members.chat.JOIN_WORDS);
# 使い方 sends ヘルプ (HELP_WORDS).
LAYOUTS: dict[str, MenuLayout] = {
    JOIN: MenuLayout(JOIN, "メニュー", (Area("join", "参加する", "招待コードで参加", "message", "参加する"), _HELP)),
    # The privacy notice is linked from マイページ (and from the join flow), so it needs no area of its own.
    COMMUNITY: MenuLayout(COMMUNITY, "メニュー", (_SURVEYS, _REVIEWS, _IDEAS, _QA, _ME, _HELP)),
    # Members of the ranks chosen for it: the same places, in gold, with their rank page in place of help.
    RANKED: MenuLayout(RANKED, "メンバー特典", (
        _SURVEYS, _REVIEWS, _IDEAS, _QA, Area("points", "ランク", "ポイントと特典の状況", "liff", "/points"), _ME,
    )),
}


class LayoutError(ValueError):
    """The menu cannot be built with these settings (e.g. no LIFF ID for the LIFF areas)."""


def liff_url(liff_id: str, path: str) -> str:
    return f"https://liff.line.me/{liff_id}{path}"


def action_for(area: Area, settings: Settings) -> dict[str, Any]:
    if area.kind == "message":
        return {"type": "message", "label": area.label, "text": area.target}
    if area.kind == "liff":
        if not settings.liff_id:
            raise LayoutError("LIFF_ID が設定されていません。LIFF アプリの ID を設定してください。"
                              " / LIFF_ID is not set.")
        return {"type": "uri", "label": area.label, "uri": liff_url(settings.liff_id, area.target)}
    if area.kind == "privacy":
        return {"type": "uri", "label": area.label, "uri": settings.privacy_notice_url}
    raise LayoutError(f"unknown area kind {area.kind!r}")


def menu_object(kind: str, settings: Settings, size: tuple[int, int], name: str) -> dict[str, Any]:
    """The rich menu object LINE takes (Create rich menu), for a menu of `size`."""
    layout = LAYOUTS[kind]
    return {
        "size": {"width": size[0], "height": size[1]},
        "selected": True,  # shown open when the chat is opened, as a newcomer needs it
        "name": name,
        "chatBarText": layout.chat_bar_text,
        "areas": [{"bounds": b, "action": action_for(a, settings)}
                  for a, b in zip(layout.areas, layout.bounds(size), strict=True)],
    }


def manifest_entry(kind: str) -> dict[str, Any]:
    """What the shipped image of `kind` shows (checked against images/manifest.json by a test)."""
    layout = LAYOUTS[kind]
    size = layout.default_size
    return {
        "size": list(size),
        "areas": [{"key": a.key, "label": a.label, "caption": a.caption, "bounds": b}
                  for a, b in zip(layout.areas, layout.bounds(size), strict=True)],
    }
