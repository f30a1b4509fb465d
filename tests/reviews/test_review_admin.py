"""Reviews in the console: marketers keep the catalogue (with an image, audit-logged, archived products
leave the members' pages) and read each product's reviews; moderators see review photos in the queue and
approving one publishes the review."""
from __future__ import annotations

import io

from sqlalchemy import select

from linecomm.moderation.models import ContentItem, ContentState
from linecomm.reviews.models import Review, ReviewProduct
from linecomm.uploads import copy as upload_copy
from tests.admin.console import Console
from tests.reviews.factories import review_form
from tests.uploads import images


def test_marketer_keeps_the_catalogue_and_moderator_publishes_a_review_with_a_photo(
        console: Console, liff_member, liff_client) -> None:
    marketer = console.client("marketer")
    refused = marketer.post("/admin/reviews/products", {"name": "ボトル", "photo": (io.BytesIO(images.SVG), "a.png")})
    assert refused.status_code == 422 and upload_copy.NOT_AN_IMAGE in refused.get_data(as_text=True)
    assert marketer.post("/admin/reviews/products", {"name": " "}).status_code == 422
    created = marketer.post("/admin/reviews/products", {
        "name": "ステンレスボトル", "category": "キッチン",
        "photo": (io.BytesIO(images.jpeg_bytes(gps=True)), "b.jpg")})
    assert created.status_code == 303
    with console.community.reader() as s:
        product = s.scalar(select(ReviewProduct))
        assert product is not None and product.photo_id
    assert console.audit_count("review_product.create") == 1
    image = marketer.get(f"/admin/reviews/products/{product.id}/photo")
    assert image.status_code == 200 and not images.exif_of(image.data).get_ifd(images.GPS_IFD)

    hana = liff_member(nickname="はな")
    member = liff_client(hana.line_user_id)
    assert "ステンレスボトル" in member.get("/liff/reviews").get_data(as_text=True)
    assert member.get(f"/liff/reviews/products/{product.id}/photo").status_code == 200
    sent = member.post(f"/liff/reviews/products/{product.id}/mine", data=review_form(photo=images.jpeg_bytes()))
    assert "saved=held" in sent.headers["Location"]  # the image policy holds photos by default
    with console.community.reader() as s:
        review = s.scalar(select(Review))
        assert review is not None and not review.published

    moderator = console.client("moderator")
    queue = moderator.get("/admin/moderation").get_data(as_text=True)
    assert review.body in queue and f"/admin/moderation/{review.content_id}/photo" in queue
    photo = moderator.get(f"/admin/moderation/{review.content_id}/photo")
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    item_page = moderator.get(f"/admin/moderation/{review.content_id}").get_data(as_text=True)
    assert "data-attached-photo" in item_page
    assert moderator.post(f"/admin/moderation/{review.content_id}/decide", {"action": "approve"}).status_code == 303
    with console.community.reader() as s:
        assert s.get(Review, review.id).published  # type: ignore[union-attr]
        assert s.get(ContentItem, review.content_id).state == ContentState.PUBLISHED  # type: ignore[union-attr]
    assert review.body in member.get(f"/liff/reviews/products/{product.id}").get_data(as_text=True)

    detail = marketer.get(f"/admin/reviews/products/{product.id}").get_data(as_text=True)
    assert review.body in detail and "公開中" in detail and f"/admin/reviews/{review.id}/photo" in detail
    assert marketer.post(f"/admin/reviews/products/{product.id}/edit",
                         {"name": "ステンレスボトル 500ml", "category": "キッチン"}).status_code == 303
    assert marketer.post(f"/admin/reviews/products/{product.id}/archive", {"action": "archive"}).status_code == 303
    assert [e.action for e in console.audit_rows("review_product.update")] == ["review_product.update"]
    assert console.audit_count("review_product.archive") == 1
    assert "ステンレスボトル" not in member.get("/liff/reviews").get_data(as_text=True)
    gone = member.get(f"/liff/reviews/products/{product.id}")
    assert gone.status_code == 404 and "ページが見つかりません" in gone.get_data(as_text=True)
    assert member.get(f"/liff/reviews/reviews/{review.id}/photo").status_code == 200  # the author still may
