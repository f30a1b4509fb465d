"""The anti-farming setting (one row): whether points are withheld from duplicate and meaningless posts,
and how strict the check is. Absent until a marketer saves it; `farming.read_policy` gives the defaults."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class FarmingPolicy(Base):
    __tablename__ = "points_farming_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    min_chars: Mapped[int] = mapped_column(Integer, default=2)  # letters left once symbols and spaces go
    similarity: Mapped[int] = mapped_column(Integer, default=90)  # percent: at or above is "near-same"
    lookback_days: Mapped[int] = mapped_column(Integer, default=90)  # earlier posts compared with
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
