"""A stored photo: its random id (the file's name), what it is, and who sent it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class UploadedPhoto(Base):
    """A photo re-encoded server-side and kept as a file named by `id` (random, never the client's name).
    `purpose` says which feature holds it ("review", "product", "idea"); `owner_member_id` is the member who
    sent it (none for staff uploads such as product images)."""

    __tablename__ = "uploaded_photos"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # bytes stored
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
