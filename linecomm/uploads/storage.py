"""The upload folder: files named by a random id, written before commit and removed again if the transaction
rolls back; files of deleted photos removed only once the deletion is committed.

Sessions learn the folder from their factory (`bind_upload_dir`, called when the runtime is built), so a
privacy hook or a job holding only a session can still find the files.
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

log = logging.getLogger(__name__)

DIR_KEY = "linecomm.uploads.dir"
WRITTEN_KEY = "linecomm.uploads.written"  # files written in this transaction: removed if it rolls back
DOOMED_KEY = "linecomm.uploads.doomed"  # files of photos deleted in this transaction: removed after commit
SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png"}


def bind_upload_dir(factory: sessionmaker[Session], directory: Path) -> None:
    """Give sessions from `factory` the upload folder, and clean up files when their transactions end."""
    factory.configure(info={**factory.kw.get("info", {}), DIR_KEY: str(directory)})

    def _after_commit(session: Session) -> None:
        session.info.pop(WRITTEN_KEY, None)
        for path in session.info.pop(DOOMED_KEY, []):
            _unlink(path)

    def _after_rollback(session: Session, previous: SessionTransaction) -> None:
        if previous.nested:
            return
        session.info.pop(DOOMED_KEY, None)
        for path in session.info.pop(WRITTEN_KEY, []):
            _unlink(path)

    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", _after_rollback)


def directory_of(session: Session) -> Path:
    found = session.info.get(DIR_KEY)
    if not found:
        raise RuntimeError("this session has no upload folder (bind_upload_dir was not called for its factory)")
    return Path(found)


def new_id() -> str:
    return secrets.token_hex(16)


def path_of(directory: Path, photo_id: str, content_type: str) -> Path:
    """Where a photo's file lives: <dir>/<first two hex digits>/<id>.<jpg|png>. Ids are ours (hex only)."""
    if len(photo_id) != 32 or not all(c in "0123456789abcdef" for c in photo_id):
        raise ValueError("not a photo id")
    return directory / photo_id[:2] / f"{photo_id}{SUFFIX.get(content_type, '.bin')}"


def write(session: Session, photo_id: str, content_type: str, data: bytes) -> Path:
    """Write the file (atomically: a temporary name, then renamed); removed again if the transaction rolls
    back."""
    path = path_of(directory_of(session), photo_id, content_type)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
    session.info.setdefault(WRITTEN_KEY, []).append(str(path))
    return path


def remove_after_commit(session: Session, photo_id: str, content_type: str) -> None:
    session.info.setdefault(DOOMED_KEY, []).append(str(path_of(directory_of(session), photo_id, content_type)))


def read(session: Session, photo_id: str, content_type: str) -> bytes | None:
    try:
        return path_of(directory_of(session), photo_id, content_type).read_bytes()
    except (FileNotFoundError, ValueError):
        return None


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("could not remove the photo file %s", path, exc_info=True)
