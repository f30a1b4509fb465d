"""Check a photo from its bytes and re-encode it: JPEG or PNG only (decided from the content, never the file
name or the client's content type), within a size and a pixel limit, fully decodable, then written anew
with the orientation applied, the long side capped and every piece of metadata (EXIF, GPS, comments,
profiles) left behind. Re-encoding also drops whatever rides along after the picture (a zip or HTML
appended to make a polyglot, a phone's motion-photo video): only pixels are stored.

No Flask, no database: bytes in, bytes out, or `PhotoRefused` with the Japanese message to show.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from linecomm.uploads import copy

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; Pillow's own bomb limit is higher (89M)
MAX_SIDE = 2048  # the long side kept: enough for a phone screen at 3x
JPEG_QUALITY = 85


class PhotoRefused(ValueError):
    """The photo cannot be accepted; `message` is for the member, `status` for the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str  # image/jpeg | image/png
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The format the bytes say they are (JPEG / PNG), or None."""
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    if data.startswith(PNG_MAGIC):
        return "PNG"
    return None


def clean(data: bytes, *, max_bytes: int, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> CleanPhoto:
    """The photo re-encoded without metadata, or PhotoRefused (413 when too large, else 400)."""
    if not data:
        raise PhotoRefused(copy.EMPTY)
    if len(data) > max_bytes:
        raise PhotoRefused(copy.too_large(max_bytes), 413)
    kind = sniff(data)
    if kind is None:
        raise PhotoRefused(copy.NOT_AN_IMAGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            width, height = image.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise PhotoRefused(copy.TOO_MANY_PIXELS)
            if kind == "JPEG":
                image.draft("RGB", (max_side, max_side))  # decode at a reduced scale: less memory, same checks
            image.load()  # the whole picture: a truncated or corrupt file fails here
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(copy.TOO_MANY_PIXELS) from None
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError... for files it cannot decode
        raise PhotoRefused(copy.BROKEN) from None
    return _reencode(image, kind, max_side)


def _reencode(image: Image.Image, kind: str, max_side: int) -> CleanPhoto:
    try:
        image = ImageOps.exif_transpose(image) or image  # turn it upright before the EXIF is dropped
    except Exception:  # a broken orientation tag: keep the picture as stored
        pass
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if kind == "PNG":
        image = image.convert("RGBA" if has_alpha else "RGB")
    else:
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image.info = {}  # no profile, text chunk, comment or EXIF is carried to the new file
    out = io.BytesIO()
    if kind == "PNG":
        image.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type = "image/jpeg"
    return CleanPhoto(out.getvalue(), content_type, image.width, image.height)
