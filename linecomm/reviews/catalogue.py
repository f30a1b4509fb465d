"""The product catalogue, managed by marketers: add a product, change its name, category and image, archive
it (members no longer see it or its reviews; the reviews are kept) and bring it back. Flush only."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.reviews import copy
from linecomm.reviews.models import ReviewProduct
from linecomm.uploads import service as uploads
from linecomm.uploads.images import PhotoRefused


@dataclass
class ProductForm:
    name: str = ""
    category: str = ""
    photo: bytes | None = None
    remove_photo: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def audit_view(product: ReviewProduct) -> dict[str, Any]:
    return {"name": product.name, "category": product.category, "photo_id": product.photo_id,
            "archived": product.archived_at is not None}


def check(form: ProductForm) -> ProductForm:
    form.name, form.category = _clean(form.name), _clean(form.category)
    if not form.name:
        form.errors["name"] = copy.NAME_REQUIRED
    elif len(form.name) > copy.NAME_MAX:
        form.errors["name"] = copy.NAME_TOO_LONG
    if len(form.category) > copy.CATEGORY_MAX:
        form.errors["category"] = copy.CATEGORY_TOO_LONG
    if form.errors:
        form.status = 422
    return form


def save(session: Session, product: ReviewProduct | None, form: ProductForm, *, max_photo_bytes: int,
         now: datetime | None = None) -> ReviewProduct | None:
    """Create (`product` None) or update a product from a checked form; None (with `form.errors`) when the
    form or its image is refused: the caller rolls back."""
    now = now or utcnow()
    if check(form).errors:
        return None
    photo_id = None
    if form.photo is not None:
        try:
            photo_id = uploads.store(session, form.photo, purpose="product", owner_member_id=None,
                                     max_bytes=max_photo_bytes, now=now).id
        except PhotoRefused as refused:
            form.errors["photo"], form.status = refused.message, refused.status if refused.status == 413 else 422
            return None
    if product is None:
        product = ReviewProduct(name=form.name, category=form.category, review_count=0, star_sum=0, stars_1=0,
                                stars_2=0, stars_3=0, stars_4=0, stars_5=0, created_at=now, updated_at=now)
        session.add(product)
    product.name, product.category, product.updated_at = form.name, form.category, now
    if photo_id is not None or form.remove_photo:
        if product.photo_id:
            uploads.delete(session, product.photo_id)
        product.photo_id = photo_id
    session.flush()
    return product


def archive(session: Session, product: ReviewProduct, archived: bool, now: datetime | None = None) -> None:
    now = now or utcnow()
    product.archived_at = now if archived else None
    product.updated_at = now
    session.flush()
