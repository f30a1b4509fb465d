"""A member writes a review with a photo in Chromium on a phone screen, signed in through the stand-in LIFF
SDK: the live counter, the photo re-encoded and shown in the product's list, and another member's review
marked helpful."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from linecomm.moderation import service as moderation
from linecomm.moderation.models import ImagePolicy
from linecomm.reviews import copy
from linecomm.reviews import service as reviews
from linecomm.reviews.models import Review
from tests.reviews.factories import make_product
from tests.support.browser import screenshot
from tests.uploads import images

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_post_a_review_with_a_photo_see_it_listed_and_mark_another_helpful(community, liff_member, liff_browser,
                                                                          tmp_path: Path) -> None:
    taro, hana = liff_member(nickname="たろう"), liff_member(nickname="はな")
    with community.session() as s:
        moderation.set_image_policy(s, ImagePolicy.PUBLISH)  # the owner lets photos through at once
        product_id = make_product(s, name="白湯ポット", photo=images.png_bytes(200, 200))
        saved = reviews.save(s, product_id, taro.member_id, reviews.Draft("3", "注ぎ口が細くて使いやすいです。"),
                             max_photo_bytes=10 * 1024 * 1024)
        assert saved.review is not None and saved.review.published
        taros = saved.review.id

    page = liff_browser.open_as(hana.line_user_id, f"/liff/?liff.state=%2Freviews%2Fproducts%2F{product_id}%2Fmine")
    page.wait_for_url(f"{community.base_url}/liff/reviews/products/{product_id}/mine")
    page.wait_for_selector("form[data-liff-form]")
    page.fill("textarea[name=body]", "毎朝")
    assert page.text_content('[data-counter-for="rv-body"]').startswith("2 / 1000文字")  # counted as typed
    page.click("form[data-liff-form] button[type=submit]")  # no stars, text too short
    page.wait_for_selector('[data-error-for="stars"]')
    assert page.text_content('[data-error-for="stars"]') == copy.CHOOSE_STARS
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.check("input[name=stars][value='5']")
    page.fill("textarea[name=body]", "毎朝の白湯が楽しみになりました。<b>おすすめ</b>です。")
    page.set_input_files("input[name=photo]", files=[{"name": "IMG_0001.JPG", "mimeType": "image/jpeg",
                                                       "buffer": images.jpeg_bytes(800, 600, gps=True)}])
    page.click("form[data-liff-form] button[type=submit]")
    page.wait_for_selector("[data-saved]")
    assert page.text_content("[data-saved]") == copy.PUBLISHED
    screenshot(page, "review-saved", tmp_path)

    page.goto(f"{community.base_url}/liff/reviews/products/{product_id}")
    with community.reader() as s:
        mine = s.scalar(select(Review).where(Review.member_id == hana.member_id))
        assert mine is not None and mine.photo_id
    card = page.locator(f'[data-review="{mine.id}"]')
    assert "<b>おすすめ</b>" in card.locator("[data-body]").text_content()  # text, not markup
    photo = card.locator("img[data-photo]")
    photo.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert page.text_content("[data-average]") == "4.0"

    page.click(f'[data-review="{taros}"] button[data-helpful]')
    page.wait_for_selector(f'[data-review="{taros}"] [data-marked]')
    assert "1人が参考になった" in page.text_content(f'[data-review="{taros}"] [data-helpful-count]')
    assert page.locator(f'[data-review="{mine.id}"] button[data-helpful]').count() == 0  # never my own
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "review-list", tmp_path)
