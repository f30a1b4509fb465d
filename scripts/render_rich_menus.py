"""Render the default rich menu images that ship inside the package (linecomm/richmenu/images/).

Run it again whenever linecomm/richmenu/layout.py changes (an area added, a label reworded), and commit the
PNGs and manifest.json it writes: tests/richmenu/test_layout.py fails while the shipped images and the layout
disagree. linecomm itself never draws (no imaging library at run time); only this script needs

    apt-get install -y fonts-noto-cjk          # a Japanese font (Noto Sans CJK JP)
    .venv/bin/pip install pillow
    .venv/bin/python scripts/render_rich_menus.py [--font PATH]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from linecomm.line.richmenu_rules import image_problems  # noqa: E402
from linecomm.richmenu import layout  # noqa: E402

OUT = ROOT / "linecomm" / "richmenu" / "images"
FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
         "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc")
# One palette per menu: the join menu invites (warm), the community menu is home (green, like LINE),
# the ranked one rewards (gold).
COLOURS = {
    layout.JOIN: {"cells": ["#f59e0b", "#64748b"], "text": "#ffffff", "line": "#ffffff"},
    layout.COMMUNITY: {"cells": ["#06c755", "#0ea5e9", "#64748b", "#475569", "#8b5cf6", "#f97316"],
                       "text": "#ffffff", "line": "#ffffff"},
    # The ranked menu: the same places in gold and dark (the members' rank, not a new app).
    layout.RANKED: {"cells": ["#b8860b", "#1f2937", "#a16207", "#374151", "#ca8a04", "#111827"],
                    "text": "#fffbeb", "line": "#fde68a"},
}


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=0)  # index 0 of the collection: Noto Sans CJK JP


def render(kind: str, font_path: str) -> bytes:
    entry = layout.manifest_entry(kind)
    width, height = entry["size"]
    colours = COLOURS[kind]
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    label_font = _font(font_path, 64)
    caption_font = _font(font_path, 30)
    for i, area in enumerate(entry["areas"]):
        b = area["bounds"]
        box = (b["x"], b["y"], b["x"] + b["width"] - 1, b["y"] + b["height"] - 1)
        draw.rectangle(box, fill=colours["cells"][i % len(colours["cells"])], outline=colours["line"], width=4)
        cx, cy = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        draw.text((cx, cy - 24), area["label"], font=label_font, fill=colours["text"], anchor="mm")
        draw.text((cx, cy + 48), area["caption"], font=caption_font, fill=colours["text"], anchor="mm")
    path = OUT / f"{kind}.png"
    image.save(path, format="PNG", optimize=True)
    data = path.read_bytes()
    problems = image_problems(data, (width, height))
    if problems:
        raise SystemExit(f"{path}: " + " ".join(problems))
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--font", default=next((f for f in FONTS if Path(f).exists()), None),
                        help="a font with Japanese glyphs (default: Noto Sans CJK JP Bold)")
    args = parser.parse_args()
    if not args.font:
        raise SystemExit("no Japanese font found: apt-get install -y fonts-noto-cjk, or pass --font PATH")
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for kind in layout.KINDS:
        data = render(kind, args.font)
        manifest[kind] = {**layout.manifest_entry(kind), "file": f"{kind}.png",
                          "sha256": hashlib.sha256(data).hexdigest()}
        print(f"{OUT / (kind + '.png')}: {manifest[kind]['size'][0]}x{manifest[kind]['size'][1]}, {len(data):,} bytes")
    (OUT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
