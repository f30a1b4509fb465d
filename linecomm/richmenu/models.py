"""The rich menus linecomm created on LINE: which one is the current join / community menu."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class RichMenu(Base):
    """One rich menu created on LINE. The current menu of a kind has no `retired_at`; a retired one is
    deleted from LINE (or already gone) once nobody needs it."""

    __tablename__ = "rich_menus"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # "join" | "community"
    line_rich_menu_id: Mapped[str] = mapped_column(String(64), unique=True)
    # sha256 of the menu object (name aside) and its image: an unchanged deploy keeps the menu.
    digest: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
