"""Store and delete members' photos. A feature passes the bytes a member uploaded; `store` checks and
re-encodes them (linecomm.uploads.images), writes the file and adds the row (flush only), or raises
PhotoRefused with nothing stored. Features keep the photo's id on their own rows and serve it through
linecomm.uploads.serving after checking the viewer may see it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.uploads import storage
from linecomm.uploads.images import MAX_PIXELS, MAX_SIDE, PhotoRefused, clean
from linecomm.uploads.models import UploadedPhoto

__all__ = ["PhotoRefused", "store", "get", "delete", "read", "erase_member_photos"]


def store(session: Session, data: bytes, *, purpose: str, owner_member_id: int | None, max_bytes: int,
          max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE, now: datetime | None = None) -> UploadedPhoto:
    """Check and re-encode `data`, write the file and add its row (flushed). Raises PhotoRefused (its
    `.message` in Japanese, `.status` 400 or 413) and stores nothing when the photo is not acceptable."""
    photo = clean(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    photo_id = storage.new_id()
    storage.write(session, photo_id, photo.content_type, photo.data)
    row = UploadedPhoto(id=photo_id, owner_member_id=owner_member_id, purpose=purpose[:32],
                        content_type=photo.content_type, width=photo.width, height=photo.height,
                        size=len(photo.data), created_at=now or utcnow())
    session.add(row)
    session.flush()
    return row


def get(session: Session, photo_id: str | None) -> UploadedPhoto | None:
    if not photo_id or len(photo_id) > 32:
        return None
    return session.get(UploadedPhoto, photo_id)


def read(session: Session, photo: UploadedPhoto) -> bytes | None:
    """The stored file's bytes (None when the file is gone)."""
    return storage.read(session, photo.id, photo.content_type)


def delete(session: Session, photo_id: str | None) -> bool:
    """Delete the row now and the file once the transaction commits."""
    photo = get(session, photo_id)
    if photo is None:
        return False
    storage.remove_after_commit(session, photo.id, photo.content_type)
    session.delete(photo)
    session.flush()
    return True


def erase_member_photos(session: Session, member_id: int) -> int:
    """Delete every photo the member sent (rows now, files after commit)."""
    photos = list(session.scalars(select(UploadedPhoto).where(UploadedPhoto.owner_member_id == member_id)))
    for photo in photos:
        storage.remove_after_commit(session, photo.id, photo.content_type)
        session.delete(photo)
    session.flush()
    return len(photos)
