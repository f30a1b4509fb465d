"""The menus' images: the defaults shipped in images/ (scripts/render_rich_menus.py draws them) or a
marketer's own file, checked against LINE's rules before anything is sent."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linecomm.line.richmenu_rules import image_info, image_problems
from linecomm.richmenu import copy

IMAGES_DIR = Path(__file__).parent / "images"


class ImageRefused(ValueError):
    """The image cannot be a rich menu image; the message says why (Japanese / English)."""


@dataclass(frozen=True)
class MenuImage:
    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def from_bytes(data: bytes, where: str) -> MenuImage:
    problems = image_problems(data)
    info = image_info(data)
    if problems or info is None:
        raise ImageRefused(copy.IMAGE_REFUSED.format(path=where, problems=" ".join(problems)))
    return MenuImage(data, info.content_type, info.width, info.height)


def from_file(path: Path) -> MenuImage:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageRefused(copy.IMAGE_UNREADABLE.format(path=path, reason=exc.strerror or exc)) from None
    return from_bytes(data, str(path))


def shipped(kind: str) -> MenuImage:
    """The default image of this menu, as shipped inside the package."""
    return from_bytes((IMAGES_DIR / f"{kind}.png").read_bytes(), f"{kind}.png")


def manifest() -> dict[str, Any]:
    """What the shipped images show (labels and areas), as the render script wrote it."""
    return json.loads((IMAGES_DIR / "manifest.json").read_text(encoding="utf-8"))
