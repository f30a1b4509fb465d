"""Photos through linecomm.uploads: only whole JPEG/PNG pictures (decided from the bytes) are stored,
re-encoded without metadata under a random name in the upload folder; everything else is refused with a
Japanese message and nothing is stored. Erasing a member removes their files."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from linecomm.privacy import requests as privacy_requests
from linecomm.uploads import copy
from linecomm.uploads import service as uploads
from linecomm.uploads.images import PhotoRefused
from linecomm.uploads.models import UploadedPhoto
from tests.admin.console import make_member
from tests.support.community import Community
from tests.uploads import images

LIMIT = 2 * 1024 * 1024


def _files(community: Community) -> list[Path]:
    root = community.settings.uploads_path
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _rows(community: Community) -> int:
    with community.reader() as s:
        return s.scalar(select(func.count()).select_from(UploadedPhoto)) or 0


def _store(community: Community, data: bytes, owner: int | None = None) -> UploadedPhoto:
    with community.session() as s:
        return uploads.store(s, data, purpose="test", owner_member_id=owner, max_bytes=LIMIT)


@pytest.mark.parametrize(("data", "message", "status"), [
    (images.gif_bytes(), copy.NOT_AN_IMAGE, 400),
    (images.SVG, copy.NOT_AN_IMAGE, 400),
    (images.TEXT, copy.NOT_AN_IMAGE, 400),  # whatever the client called it (photo.jpg)
    (b"", copy.EMPTY, 400),
    (images.truncated_jpeg(), copy.BROKEN, 400),
    (images.bomb_png(), copy.TOO_MANY_PIXELS, 400),  # beyond Pillow's own bomb limit
    (images.bomb_png(9000, 9000), copy.TOO_MANY_PIXELS, 400),  # within Pillow's, beyond ours
    (images.jpeg_bytes() + b"\0" * LIMIT, copy.too_large(LIMIT), 413),
], ids=["gif", "svg", "text", "empty", "truncated", "bomb", "bomb-ours", "oversized"])
def test_refused_photos_leave_nothing_behind(community: Community, data: bytes, message: str, status: int) -> None:
    with pytest.raises(PhotoRefused) as refused:
        _store(community, data)
    assert (refused.value.message, refused.value.status) == (message, status)
    assert _rows(community) == 0 and _files(community) == []


def test_a_photo_is_re_encoded_without_gps_upright_and_named_by_a_random_id(community: Community) -> None:
    original = images.jpeg_bytes(300, 200, gps=True, orientation=6)
    assert images.exif_of(original).get_ifd(images.GPS_IFD)  # the test photo does carry a position
    photo = _store(community, original)
    files = _files(community)
    assert len(files) == 1 and files[0].name == f"{photo.id}.jpg" and len(photo.id) == 32
    stored = files[0].read_bytes()
    exif = images.exif_of(stored)
    assert dict(exif) == {} and not exif.get_ifd(images.GPS_IFD)
    assert b"TestPhone" not in stored
    assert (photo.width, photo.height, photo.size, photo.content_type) == (200, 300, len(stored), "image/jpeg")


def test_a_polyglot_is_stored_as_pixels_only(community: Community) -> None:
    _store(community, images.polyglot_jpeg())
    (stored,) = _files(community)
    data = stored.read_bytes()
    assert images.ZIP_MARKER not in data and images.HTML_MARKER not in data and b"PK\x03\x04" not in data


def test_large_photos_are_scaled_down_and_png_stays_png(community: Community) -> None:
    big = _store(community, images.jpeg_bytes(3000, 1500))
    assert (big.width, big.height) == (2048, 1024)
    png = _store(community, images.png_bytes(40, 30))
    assert png.content_type == "image/png" and _files(community)[-1].suffix in (".png", ".jpg")


def test_a_rolled_back_upload_removes_its_file(community: Community) -> None:
    with pytest.raises(RuntimeError), community.session() as s:
        uploads.store(s, images.jpeg_bytes(), purpose="test", owner_member_id=None, max_bytes=LIMIT)
        assert len(_files(community)) == 1
        raise RuntimeError("the request failed after the photo was written")
    assert _files(community) == [] and _rows(community) == 0


def test_erasing_a_member_deletes_their_photos(community: Community) -> None:
    with community.session() as s:
        member_id = make_member(s, nickname="はな").id
        other_id = make_member(s, nickname="たろう").id
    _store(community, images.jpeg_bytes(), owner=member_id)
    kept = _store(community, images.png_bytes(), owner=other_id)
    assert len(_files(community)) == 2
    with community.session() as s:
        from linecomm.members.models import Member

        member = s.get(Member, member_id)
        assert member is not None
        privacy_requests.erase(s, member)
        assert len(_files(community)) == 2  # the files go once the erasure commits
    assert [p.stem for p in _files(community)] == [kept.id]
    assert _rows(community) == 1


def test_the_upload_folder_and_limit_come_from_the_environment(tmp_path: Path) -> None:
    from linecomm.config import Settings

    default = Settings.from_env({"LINECOMM_INSTANCE_PATH": str(tmp_path)})
    assert default.uploads_path == tmp_path / "uploads" and default.upload_max_bytes == 10 * 1024 * 1024
    chosen = Settings.from_env({"LINECOMM_INSTANCE_PATH": str(tmp_path), "LINECOMM_UPLOAD_DIR": str(tmp_path / "p"),
                                "LINECOMM_UPLOAD_MAX_BYTES": "2048"})
    assert chosen.uploads_path == tmp_path / "p" and chosen.upload_max_bytes == 2048
