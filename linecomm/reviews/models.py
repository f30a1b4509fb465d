"""The product catalogue, members' reviews and their "helpful" marks, with the counters the pages read.

Counters follow the rows in the same transaction (linecomm.reviews.counters): a product counts its visible
reviews (`review_count`, `star_sum`, `stars_1`..`stars_5`); a review counts its helpful marks. A review is
visible (`published`) while its current moderation item is published; `counted_stars` is what the product
counters hold for it (None: not counted), so moving a review in or out of view is one idempotent step.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class ReviewProduct(Base):
    """A product members can review, managed by marketers in the console."""

    __tablename__ = "review_products"
    __table_args__ = (Index("ix_review_products_archived_at_id", "archived_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(50), default="")
    photo_id: Mapped[str | None] = mapped_column(ForeignKey("uploaded_photos.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    star_sum: Mapped[int] = mapped_column(Integer, default=0)
    stars_1: Mapped[int] = mapped_column(Integer, default=0)
    stars_2: Mapped[int] = mapped_column(Integer, default=0)
    stars_3: Mapped[int] = mapped_column(Integer, default=0)
    stars_4: Mapped[int] = mapped_column(Integer, default=0)
    stars_5: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def average(self) -> float | None:
        return round(self.star_sum / self.review_count, 1) if self.review_count else None

    def distribution(self) -> list[tuple[int, int]]:
        """(stars, count) from 5 down to 1."""
        return [(n, getattr(self, f"stars_{n}")) for n in (5, 4, 3, 2, 1)]


class Review(Base):
    """One member's review of one product (at most one each: edited in place, moderated again)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("product_id", "member_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_reviews_newest", "product_id", "published", "id"),
        Index("ix_reviews_helpful", "product_id", "published", "helpful_count", "id"),
        Index("ix_reviews_member_id_id", "member_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("review_products.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    stars: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    photo_id: Mapped[str | None] = mapped_column(ForeignKey("uploaded_photos.id", ondelete="SET NULL"))
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id", ondelete="SET NULL"), index=True)
    published: Mapped[bool] = mapped_column(default=False)
    counted_stars: Mapped[int | None] = mapped_column(Integer)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReviewHelpfulMark(Base):
    """A member found a review helpful (once per member and review; never their own)."""

    __tablename__ = "review_helpful_marks"
    __table_args__ = (UniqueConstraint("review_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
