"""Products and reviews for tests, made through the catalogue and review services."""
from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from linecomm.reviews import catalogue
from linecomm.reviews.models import ReviewProduct

BODY = "とても使いやすくて毎日使っています。"


def make_product(session: Session, name: str = "ステンレスボトル", category: str = "キッチン",
                 photo: bytes | None = None) -> int:
    form = catalogue.ProductForm(name=name, category=category, photo=photo)
    product = catalogue.save(session, None, form, max_photo_bytes=10 * 1024 * 1024)
    assert isinstance(product, ReviewProduct), form.errors
    return product.id


def review_form(stars: int | str = 4, body: str = BODY, photo: bytes | None = None,
                filename: str = "photo.jpg", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"stars": str(stars), "body": body, **extra}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), filename)
    return data
