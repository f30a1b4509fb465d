"""The menus' layout, the shipped images and LINE's rules agree: the images cannot drift from the layout."""
from __future__ import annotations

import hashlib

import pytest

from linecomm.config import Settings
from linecomm.line.fake.richmenus import validate_rich_menu
from linecomm.line.richmenu_rules import MAX_IMAGE_BYTES, image_info, image_problems
from linecomm.richmenu import images, layout
from tests.richmenu.menu_images import jpeg_header, png

SETTINGS = Settings(liff_id="1234567890-abcdefgh", privacy_notice_url="https://example.com/privacy").resolved()


@pytest.mark.parametrize("kind", layout.KINDS)
def test_the_shipped_image_shows_the_layout(kind: str) -> None:
    """Fails after a layout change until scripts/render_rich_menus.py is run again and its output kept."""
    shipped = images.manifest()[kind]
    assert {k: v for k, v in shipped.items() if k not in ("file", "sha256")} == layout.manifest_entry(kind)
    data = (images.IMAGES_DIR / shipped["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == shipped["sha256"], "the PNG is not the one the script rendered"
    assert image_problems(data, tuple(shipped["size"])) == []


@pytest.mark.parametrize("kind", layout.KINDS)
@pytest.mark.parametrize("size", [(1200, 405), (1200, 810), (2500, 1686), (2500, 843), (800, 270)])
def test_the_menus_fit_any_size_line_accepts(kind: str, size: tuple[int, int]) -> None:
    menu = layout.menu_object(kind, SETTINGS, size, name=f"linecomm:{kind}:test")
    assert validate_rich_menu(menu) == []
    areas = [a["bounds"] for a in menu["areas"]]
    assert sum(b["width"] * b["height"] for b in areas) == size[0] * size[1]  # they tile the whole menu


def test_the_community_menu_opens_the_liff_pages_and_the_join_menu_sends_the_join_keyword() -> None:
    community = layout.menu_object(layout.COMMUNITY, SETTINGS, (1200, 810), name="x")
    uris = {a["action"]["label"]: a["action"].get("uri") for a in community["areas"]}
    assert uris["アンケート"] == "https://liff.line.me/1234567890-abcdefgh/surveys"
    assert uris["マイページ"] == "https://liff.line.me/1234567890-abcdefgh/me"
    join = layout.menu_object(layout.JOIN, SETTINGS, (1200, 405), name="x")
    assert [a["action"] for a in join["areas"]][0] == {"type": "message", "label": "参加する", "text": "参加する"}


def test_a_community_menu_without_a_liff_id_is_refused_before_line_is_called() -> None:
    with pytest.raises(layout.LayoutError, match="LIFF_ID"):
        layout.menu_object(layout.COMMUNITY, SETTINGS.replace(liff_id=""), (1200, 810), name="x")


def test_image_rules_read_png_and_jpeg_headers() -> None:
    assert image_info(png(1200, 405)) is not None and image_info(png(1200, 405)).content_type == "image/png"
    info = image_info(jpeg_header(2500, 843))
    assert info is not None and (info.content_type, info.width, info.height) == ("image/jpeg", 2500, 843)
    assert image_problems(png(2500, 1686)) == []
    assert "幅は800〜2500" in image_problems(png(2600, 1000))[0]
    assert "高さは250" in " ".join(image_problems(png(800, 200)))
    assert "縦横比" in image_problems(png(1000, 800))[0]
    assert "PNGかJPEG" in image_problems(b"GIF89a....")[0]
    assert "1MB" in image_problems(b"\x89PNG" + b"\0" * MAX_IMAGE_BYTES)[0]
    assert "1200×810" in image_problems(png(1200, 405), (1200, 810))[0]
