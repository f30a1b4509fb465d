"""Pictures for upload tests, made with Pillow: good JPEG/PNG (with GPS in the EXIF), and the bad ones a
photo field must refuse (another format, a text file, truncated, a decompression bomb, a polyglot)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(width: int = 64, height: int = 48, *, gps: bool = False, orientation: int | None = None,
               color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A JPEG; with `gps`, its EXIF holds a GPS position (Tokyo Station) and a camera model."""
    image = Image.new("RGB", (width, height), color)
    exif = image.getexif()
    if gps:
        exif[0x0110] = "TestPhone 15"  # Model
        ifd = exif.get_ifd(GPS_IFD)
        ifd.update({1: "N", 2: (35.0, 40.0, 52.0), 3: "E", 4: (139.0, 46.0, 0.0)})
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif.tobytes() if (gps or orientation) else b"")
    return out.getvalue()


def png_bytes(width: int = 40, height: int = 30, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 0, 0)).save(out, "GIF")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
TEXT = "これは写真ではありません。\n".encode()


def truncated_jpeg() -> bytes:
    data = jpeg_bytes(400, 300, color=(30, 160, 90))
    return data[: len(data) // 2]


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels (CRC fixed so the header is valid)."""
    data = bytearray(png_bytes(8, 8, "RGB"))
    # Signature (8) + length (4) + "IHDR" (4): width and height follow, then the chunk's CRC.
    start = 8 + 4 + 4
    data[start:start + 8] = struct.pack(">II", width, height)
    ihdr = bytes(data[12:start + 13])  # "IHDR" + the 13 bytes of its data
    data[start + 13:start + 17] = struct.pack(">I", zlib.crc32(ihdr) & 0xFFFFFFFF)
    return bytes(data)


ZIP_MARKER = b"polyglot-secret.txt"
HTML_MARKER = b"<script>alert('polyglot')</script>"


def polyglot_jpeg() -> bytes:
    """A JPEG with a zip archive and HTML appended: still opens as a picture."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(ZIP_MARKER.decode(), "hidden")
    return jpeg_bytes() + archive.getvalue() + b"<html>" + HTML_MARKER + b"</html>"


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()
