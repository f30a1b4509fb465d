"""The review routes in the role matrix (tests/admin/test_role_matrix.py): a product with an image and a
member's review with a photo (held for a moderator by the image policy). Marketers and owners manage the
catalogue; the photo in the moderation queue is for moderators and owners."""
from __future__ import annotations

from typing import Any

from linecomm.reviews import service
from tests.admin.console import Console, make_member
from tests.reviews.factories import make_product
from tests.uploads import images

MARKETING = {"owner", "marketer"}
MODERATION = {"owner", "moderator"}
WORLD_KEYS = ("review_product", "review", "review_content")


def world(console: Console) -> dict[str, Any]:
    with console.community.session() as s:
        product_id = make_product(s, name="マトリクスの商品", photo=images.png_bytes())
        author = make_member(s, nickname="レビューする人")
        draft = service.Draft("4", "写真つきのレビューです。", images.jpeg_bytes())
        saved = service.save(s, product_id, author.id, draft, max_photo_bytes=10 * 1024 * 1024)
        assert saved.review is not None and not saved.errors
        return {"review_product": product_id, "review": saved.review.id, "review_content": saved.review.content_id}


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    p, r = w["review_product"], w["review"]
    return [
        case("GET", "admin.reviews_catalogue", "/admin/reviews", MARKETING),
        case("POST", "admin.review_product_create", "/admin/reviews/products", MARKETING,
             {"name": "新しい商品", "category": "キッチン"}),
        case("GET", "admin.review_product", f"/admin/reviews/products/{p}", MARKETING),
        case("POST", "admin.review_product_save", f"/admin/reviews/products/{p}/edit", MARKETING,
             {"name": "名前を変えた商品", "category": "バス"}),
        case("POST", "admin.review_product_archive", f"/admin/reviews/products/{p}/archive", MARKETING,
             {"action": "archive"}),
        case("GET", "admin.review_product_photo", f"/admin/reviews/products/{p}/photo", MARKETING),
        case("GET", "admin.review_photo_for_staff", f"/admin/reviews/{r}/photo", MARKETING),
        case("GET", "admin.moderation_attached_photo", f"/admin/moderation/{w['review_content']}/photo", MODERATION),
    ]
