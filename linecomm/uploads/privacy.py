"""Uploads' privacy hook: the photos a member sent. Erasing deletes them (rows at once, files once the erasure
commits); features holding a photo id keep it as a plain reference that then finds nothing."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.privacy.registry import PrivacyHook, plain
from linecomm.uploads import service
from linecomm.uploads.models import UploadedPhoto

if TYPE_CHECKING:
    from linecomm.members.models import Member


def export_member(session: Session, member: Member) -> dict[str, Any]:
    rows = session.scalars(select(UploadedPhoto).where(UploadedPhoto.owner_member_id == member.id)
                           .order_by(UploadedPhoto.created_at))
    return {"uploaded_photos": [{"id": p.id, "purpose": p.purpose, "content_type": p.content_type,
                                 "width": p.width, "height": p.height, "bytes": p.size,
                                 "created_at": plain(p.created_at)} for p in rows]}


def erase_member(session: Session, member: Member, now: datetime) -> dict[str, Any]:
    return {"uploaded_photos": service.erase_member_photos(session, member.id)}


hook = PrivacyHook(name="uploads", tables=("uploaded_photos",), export_member=export_member,
                   erase_member=erase_member)
