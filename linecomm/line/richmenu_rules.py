"""LINE's rules for rich menus and their images, checked before anything is sent (and by the fake platform).

From LINE's Messaging API reference ("Rich menu object", "Upload rich menu image"): the image is a JPEG or
PNG of at most 1 MB, 800 to 2,500 px wide, at least 250 px high, with width/height at least 1.45, and of
exactly the menu's `size`; a menu has 1 to 20 areas inside its size, a `name` of at most 300 characters
and a `chatBarText` of at most 14; a channel holds at most 1,000 rich menus.

The image's format and dimensions are read from its header (PNG's IHDR chunk, JPEG's SOF marker), so
checking a marketer's image needs no imaging library.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

MIN_WIDTH, MAX_WIDTH = 800, 2500
MIN_HEIGHT = 250
MIN_ASPECT_RATIO = 1.45
MAX_IMAGE_BYTES = 1024 * 1024
MAX_AREAS = 20
MAX_NAME = 300
MAX_CHAT_BAR_TEXT = 14
MAX_RICH_MENUS = 1000
MAX_BULK_USERS = 500
IMAGE_TYPES = ("image/png", "image/jpeg")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the dimensions (all SOFn except DHT C4, JPG C8 and DAC CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class ImageInfo:
    content_type: str  # image/png or image/jpeg
    width: int
    height: int


def image_info(data: bytes) -> ImageInfo | None:
    """The format and pixel size of a PNG or JPEG, read from its header; None for anything else."""
    if data.startswith(_PNG_SIGNATURE) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("image/png", width, height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_info(data)
    return None


def _jpeg_info(data: bytes) -> ImageInfo | None:
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        if marker in _SOF_MARKERS:
            if i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return ImageInfo("image/jpeg", width, height)
        i += 2 + length
    return None


def image_problems(data: bytes, expected_size: tuple[int, int] | None = None) -> list[str]:
    """Why LINE would refuse this rich menu image (Japanese and English in one line each); [] if none."""
    if len(data) > MAX_IMAGE_BYTES:
        return [f"画像のファイルサイズは1MB以下にしてください（この画像は{len(data):,}バイト）。"
                f" / The image must be at most 1 MB ({len(data):,} bytes)."]
    info = image_info(data)
    if info is None:
        return ["画像はPNGかJPEGにしてください。 / The image must be a PNG or JPEG file."]
    problems = []
    if not MIN_WIDTH <= info.width <= MAX_WIDTH:
        problems.append(f"画像の幅は{MIN_WIDTH}〜{MAX_WIDTH}ピクセルにしてください（この画像は{info.width}ピクセル）。"
                        f" / The image must be {MIN_WIDTH} to {MAX_WIDTH} px wide ({info.width} px).")
    if info.height < MIN_HEIGHT:
        problems.append(f"画像の高さは{MIN_HEIGHT}ピクセル以上にしてください（この画像は{info.height}ピクセル）。"
                        f" / The image must be at least {MIN_HEIGHT} px high ({info.height} px).")
    if info.height and info.width / info.height < MIN_ASPECT_RATIO:
        problems.append(f"画像の縦横比（幅÷高さ）は{MIN_ASPECT_RATIO}以上にしてください"
                        f"（この画像は{info.width / info.height:.2f}）。"
                        f" / The aspect ratio (width/height) must be at least {MIN_ASPECT_RATIO}"
                        f" ({info.width / info.height:.2f}).")
    if expected_size is not None and (info.width, info.height) != expected_size:
        problems.append(f"画像の大きさはリッチメニューと同じ{expected_size[0]}×{expected_size[1]}ピクセルにしてください"
                        f"（この画像は{info.width}×{info.height}）。 / The image must be "
                        f"{expected_size[0]}x{expected_size[1]} px like its rich menu ({info.width}x{info.height}).")
    return problems


def size_ok(width: object, height: object) -> bool:
    """A rich menu size LINE accepts: 800-2,500 wide, at least 250 high, width/height at least 1.45."""
    return (isinstance(width, int) and isinstance(height, int) and not isinstance(width, bool)
            and MIN_WIDTH <= width <= MAX_WIDTH and height >= MIN_HEIGHT and width / height >= MIN_ASPECT_RATIO)
