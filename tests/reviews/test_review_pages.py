"""Members' review pages through the Flask test client, signed in with fake-issued LIFF ID tokens: write and
edit my review (one per product), photos checked and served safely, "helpful" once and never on my own,
nobody edits another's review, a suspended member reads only, a hidden review leaves the list and the
average, text and nicknames render as text, and each member action is recorded once."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.members.models import MemberStatus
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentState, ImagePolicy
from linecomm.reviews import copy
from linecomm.reviews.models import Review, ReviewHelpfulMark, ReviewProduct
from linecomm.uploads import copy as upload_copy
from linecomm.uploads.models import UploadedPhoto
from tests.reviews.factories import BODY, make_product, review_form
from tests.support.community import Community
from tests.uploads import images


def _product(community: Community, **kwargs: object) -> int:
    with community.session() as s:
        return make_product(s, **kwargs)  # type: ignore[arg-type]


def _counters(community: Community, product_id: int) -> tuple[int, int, list[tuple[int, int]]]:
    with community.reader() as s:
        p = s.get(ReviewProduct, product_id)
        assert p is not None
        return p.review_count, p.star_sum, p.distribution()


def _actions(community: Community, kind: str) -> list[tuple[int, str]]:
    with community.reader() as s:
        return sorted(s.execute(select(MemberAction.member_id, MemberAction.key)
                                .where(MemberAction.kind == kind)).all())


def _review(community: Community, product_id: int, member_id: int) -> Review:
    with community.reader() as s:
        review = s.scalar(select(Review).where(Review.product_id == product_id, Review.member_id == member_id))
        assert review is not None
        return review


def _photo_files(community: Community) -> list[str]:
    root = community.settings.uploads_path
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_write_then_edit_my_one_review_and_see_it_counted(community: Community, liff_member, liff_client) -> None:
    product_id = _product(community)
    hana = liff_member(nickname="はな")
    client = liff_client(hana.line_user_id)
    form = client.get(f"/liff/reviews/products/{product_id}/mine")
    assert form.status_code == 200 and 'data-count-max="1000"' in form.get_data(as_text=True)

    bad = client.post(f"/liff/reviews/products/{product_id}/mine", data=review_form(stars=9, body="短い"))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and copy.CHOOSE_STARS in html and copy.body_too_short(2) in html
    assert 'aria-invalid="true"' in html

    sent = client.post(f"/liff/reviews/products/{product_id}/mine", data=review_form(stars=4))
    assert sent.status_code == 303 and "saved=published" in sent.headers["Location"]
    assert _counters(community, product_id) == (1, 4, [(5, 0), (4, 1), (3, 0), (2, 0), (1, 0)])
    first = _review(community, product_id, hana.member_id)

    edited = client.post(f"/liff/reviews/products/{product_id}/mine",
                         data=review_form(stars=2, body="使っているうちに蓋が緩くなりました。"))
    assert edited.status_code == 303
    again = _review(community, product_id, hana.member_id)
    assert again.id == first.id and again.content_id != first.content_id  # moderated again, as a new item
    with community.reader() as s:
        old = s.get(ContentItem, first.content_id)
        assert old is not None and old.state == ContentState.HIDDEN and not old.in_queue  # superseded
        assert s.scalar(select(func.count()).select_from(Review)) == 1
    assert _counters(community, product_id) == (1, 2, [(5, 0), (4, 0), (3, 0), (2, 1), (1, 0)])
    page = client.get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert "蓋が緩くなりました" in page and "毎日使っています" not in page and "わたしのレビューを編集する" in page
    assert _actions(community, ActionKind.REVIEW_PUBLISHED) == [(hana.member_id, f"review:{first.id}")]

    listing = client.get("/liff/reviews").get_data(as_text=True)
    assert "ステンレスボトル" in listing and "2.0" in listing and "レビュー済み" in listing
    my_page = client.get("/liff/me").get_data(as_text=True)
    assert "わたしのレビュー" in my_page and "ステンレスボトル" in my_page


def test_one_review_per_member_and_product_is_a_database_rule(community: Community, liff_member) -> None:
    product_id = _product(community)
    hana = liff_member(nickname="はな")
    with pytest.raises(IntegrityError), community.session() as s:
        for _ in range(2):
            s.add(Review(product_id=product_id, member_id=hana.member_id, stars=3, body="x" * 10, published=False,
                         helpful_count=0))
            s.flush()


def test_helpful_once_never_my_own_and_its_author_is_credited_once(community: Community, liff_member,
                                                                   liff_client) -> None:
    product_id = _product(community)
    hana, taro = liff_member(nickname="はな"), liff_member(nickname="たろう")
    hana_client, taro_client = liff_client(hana.line_user_id), liff_client(taro.line_user_id)
    hana_client.post(f"/liff/reviews/products/{product_id}/mine", data=review_form())
    review = _review(community, product_id, hana.member_id)

    own = hana_client.post(f"/liff/reviews/reviews/{review.id}/helpful")
    assert own.status_code == 403 and own.get_json()["error"] == copy.HELPFUL_OWN
    for _ in range(2):
        marked = taro_client.post(f"/liff/reviews/reviews/{review.id}/helpful", data={"sort": "helpful"})
        assert marked.status_code == 303 and "sort=helpful" in marked.headers["Location"]
    assert _review(community, product_id, hana.member_id).helpful_count == 1
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(ReviewHelpfulMark)) == 1
    assert _actions(community, ActionKind.HELPFUL_RECEIVED) == [
        (hana.member_id, f"review-helpful:{review.id}:{taro.member_id}")]
    page = taro_client.get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert "data-marked" in page and "1人が参考になったと回答" in page
    gone = taro_client.post("/liff/reviews/reviews/999999/helpful")
    assert gone.status_code == 404 and gone.get_json()["error"] == copy.HELPFUL_GONE


def test_another_member_cannot_touch_my_review(community: Community, liff_member, liff_client) -> None:
    product_id = _product(community)
    hana, taro = liff_member(nickname="はな"), liff_member(nickname="たろう")
    liff_client(hana.line_user_id).post(f"/liff/reviews/products/{product_id}/mine", data=review_form(stars=5))
    mine = _review(community, product_id, hana.member_id)
    taro_client = liff_client(taro.line_user_id)
    # The form only ever shows and saves the signed-in member's own review.
    assert mine.body not in taro_client.get(f"/liff/reviews/products/{product_id}/mine").get_data(as_text=True)
    taro_client.post(f"/liff/reviews/products/{product_id}/mine",
                     data=review_form(stars=1, body="他の人のレビューを書き換えようとしています", review_id=mine.id))
    after = _review(community, product_id, hana.member_id)
    assert (after.stars, after.body) == (5, mine.body)
    assert _review(community, product_id, taro.member_id).stars == 1
    cross = taro_client.post(f"/liff/reviews/products/{product_id}/mine", data=review_form(), origin="https://evil.example")
    assert cross.status_code == 403


def test_a_suspended_member_reads_but_cannot_post(community: Community, liff_member, liff_client) -> None:
    product_id = _product(community)
    hana = liff_member(nickname="はな")
    liff_client(hana.line_user_id).post(f"/liff/reviews/products/{product_id}/mine", data=review_form())
    review = _review(community, product_id, hana.member_id)
    jiro = liff_member(nickname="じろう", status=MemberStatus.SUSPENDED)
    client = liff_client(jiro.line_user_id)
    page = client.get(f"/liff/reviews/products/{product_id}")
    assert page.status_code == 200 and review.body in page.get_data(as_text=True)
    assert "data-helpful>" not in page.get_data(as_text=True)
    refused = client.post(f"/liff/reviews/products/{product_id}/mine", data=review_form())
    assert refused.status_code == 403 and refused.get_json()["read_only"] is True
    assert client.post(f"/liff/reviews/reviews/{review.id}/helpful").status_code == 403
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(Review)) == 1


def test_a_hidden_review_leaves_the_list_and_the_average_and_comes_back_once(
        community: Community, liff_member, liff_client) -> None:
    product_id = _product(community)
    hana, taro = liff_member(nickname="はな"), liff_member(nickname="たろう")
    liff_client(hana.line_user_id).post(f"/liff/reviews/products/{product_id}/mine", data=review_form(stars=1))
    liff_client(taro.line_user_id).post(f"/liff/reviews/products/{product_id}/mine",
                                         data=review_form(stars=5, body="香りがよくて気に入っています。"))
    hidden = _review(community, product_id, hana.member_id)
    assert _counters(community, product_id)[:2] == (2, 6)
    with community.session() as s:
        item = s.get(ContentItem, hidden.content_id)
        assert item is not None
        moderation.hide(s, item, staff_id=None)  # type: ignore[arg-type]
    viewer = liff_client(taro.line_user_id)
    page = viewer.get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert hidden.body not in page and "5.0" in page
    assert _counters(community, product_id) == (1, 5, [(5, 1), (4, 0), (3, 0), (2, 0), (1, 0)])
    assert "5.0" in viewer.get("/liff/reviews").get_data(as_text=True)
    assert viewer.post(f"/liff/reviews/reviews/{hidden.id}/helpful").status_code == 404
    # Reports hide it again after a moderator approved it: counted and uncounted each time, published once.
    with community.session() as s:
        item = s.get(ContentItem, hidden.content_id)
        assert item is not None
        moderation.approve(s, item, staff_id=None)  # type: ignore[arg-type]
    assert _counters(community, product_id)[:2] == (2, 6)
    assert hidden.body in viewer.get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert [m for m, _ in _actions(community, ActionKind.REVIEW_PUBLISHED)] == sorted([hana.member_id, taro.member_id])


def test_a_review_with_a_photo_is_held_then_published_once_approved(community: Community, liff_member,
                                                                   liff_client) -> None:
    with community.session() as s:
        moderation.set_image_policy(s, ImagePolicy.HOLD)
    product_id = _product(community)
    hana, taro = liff_member(nickname="はな"), liff_member(nickname="たろう")
    hana_client = liff_client(hana.line_user_id)
    sent = hana_client.post(f"/liff/reviews/products/{product_id}/mine",
                            data=review_form(photo=images.jpeg_bytes(gps=True), filename="../../etc/passwd.jpg"))
    assert sent.status_code == 303 and "saved=held" in sent.headers["Location"]
    assert copy.HELD in hana_client.get(sent.headers["Location"]).get_data(as_text=True)
    review = _review(community, product_id, hana.member_id)
    assert not review.published and _counters(community, product_id)[0] == 0
    assert _actions(community, ActionKind.REVIEW_PUBLISHED) == []
    (stored,) = _photo_files(community)
    assert stored == f"{review.photo_id}.jpg" and "passwd" not in stored
    taro_client = liff_client(taro.line_user_id)
    assert taro_client.get(f"/liff/reviews/reviews/{review.id}/photo").status_code == 404
    own = hana_client.get(f"/liff/reviews/reviews/{review.id}/photo")
    assert own.status_code == 200 and own.headers["Content-Type"] == "image/jpeg"
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.headers["Content-Disposition"].startswith("inline")
    assert own.headers["ETag"] and "private" in own.headers["Cache-Control"]
    assert hana_client.get(f"/liff/reviews/reviews/{review.id}/photo",
                           headers={"If-None-Match": own.headers["ETag"]}).status_code == 304
    assert not images.exif_of(own.data).get_ifd(images.GPS_IFD)

    with community.session() as s:
        item = s.get(ContentItem, review.content_id)
        assert item is not None and item.state == ContentState.HELD
        moderation.approve(s, item, staff_id=None)  # type: ignore[arg-type]
    assert _actions(community, ActionKind.REVIEW_PUBLISHED) == [(hana.member_id, f"review:{review.id}")]
    assert taro_client.get(f"/liff/reviews/reviews/{review.id}/photo").status_code == 200
    page = taro_client.get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert f"/liff/reviews/reviews/{review.id}/photo" in page
    # Editing the text alone keeps the approved photo visible; removing the photo deletes its file.
    hana_client.post(f"/liff/reviews/products/{product_id}/mine",
                     data=review_form(body="写真はそのままで本文だけ直しました。"))
    assert _review(community, product_id, hana.member_id).published
    hana_client.post(f"/liff/reviews/products/{product_id}/mine", data=review_form(remove_photo="1"))
    assert _review(community, product_id, hana.member_id).photo_id is None and _photo_files(community) == []


@pytest.mark.parametrize(("photo", "message"), [
    (images.gif_bytes(), upload_copy.NOT_AN_IMAGE),
    (images.SVG, upload_copy.NOT_AN_IMAGE),
    (images.TEXT, upload_copy.NOT_AN_IMAGE),
    (images.truncated_jpeg(), upload_copy.BROKEN),
    (images.bomb_png(), upload_copy.TOO_MANY_PIXELS),
], ids=["gif", "svg", "text-named-jpg", "truncated", "bomb"])
def test_a_refused_photo_is_said_beside_the_field_and_nothing_is_kept(community: Community, liff_member,
                                                                     liff_client, photo: bytes, message: str) -> None:
    product_id = _product(community)
    hana = liff_member(nickname="はな")
    answer = liff_client(hana.line_user_id).post(f"/liff/reviews/products/{product_id}/mine",
                                                 data=review_form(photo=photo, filename="photo.jpg"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and answer.mimetype == "text/html"
    assert re.search(r'data-error-for="photo">' + re.escape(message), html)
    assert BODY in html  # what was typed stays in the form
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(Review)) == 0
        assert s.scalar(select(func.count()).select_from(UploadedPhoto)) == 0
    assert _photo_files(community) == []


def test_an_oversized_photo_gets_413_beside_the_field(community: Community, liff_member, liff_client) -> None:
    product_id = _product(community)
    hana = liff_member(nickname="はな")
    limit = community.settings.upload_max_bytes
    answer = liff_client(hana.line_user_id).post(
        f"/liff/reviews/products/{product_id}/mine",
        data=review_form(photo=images.jpeg_bytes() + b"\0" * (limit + 1024 * 1024)))
    assert answer.status_code == 413 and answer.mimetype == "text/html"
    assert upload_copy.too_large(limit) in answer.get_data(as_text=True)
    assert _photo_files(community) == []


def test_text_and_nicknames_render_as_text(community: Community, liff_member, liff_client) -> None:
    product_id = _product(community, name="<b>ボトル</b>")
    evil = liff_member(nickname="<img src=x onerror=alert(1)>")
    payload = "<script>alert('xss')</script> とても良い商品でした"
    liff_client(evil.line_user_id).post(f"/liff/reviews/products/{product_id}/mine", data=review_form(body=payload))
    viewer = liff_client(liff_member(nickname="はな").line_user_id)
    page = viewer.get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert "<script>alert('xss')</script>" not in page and "&lt;script&gt;alert(" in page
    assert "<img src=x onerror" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>ボトル</b>" not in viewer.get("/liff/reviews").get_data(as_text=True)


def test_pages_go_deep_by_keyset_newest_and_most_helpful(community: Community, liff_member, liff_client) -> None:
    from linecomm.reviews import service

    product_id = _product(community)
    people = [liff_member(nickname=f"メンバー{i}") for i in range(23)]
    with community.session() as s:
        for i, person in enumerate(people):
            saved = service.save(s, product_id, person.member_id,
                                 service.Draft(str(1 + i % 5), f"レビュー本文その{i:02d}です。"), max_photo_bytes=1)
            assert not saved.errors
        ids = [r.id for r in s.scalars(select(Review).order_by(Review.id))]
        for n, review_id in enumerate(ids[:3]):  # the three oldest are the most helpful
            for marker in people[5:5 + 3 - n]:
                assert service.mark_helpful(s, review_id, marker.member_id) is service.Helpful.MARKED
    client = liff_client(people[0].line_user_id)
    first = client.get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert first.count("data-review=") == 20 and "その22です" in first and "その02です" not in first
    more = re.search(r'data-more href="([^"]+)"', first)
    assert more
    second = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count("data-review=") == 3 and "その00です" in second and "data-more" not in second
    helpful = client.get(f"/liff/reviews/products/{product_id}?sort=helpful").get_data(as_text=True)
    order = re.findall(r"その(\d\d)です", helpful)
    assert order[:4] == ["00", "01", "02", "22"]
    nxt = re.search(r'data-more href="([^"]+)"', helpful)
    assert nxt and "after=0." in nxt.group(1)
    assert client.get(f"/liff/reviews/products/{product_id}?sort=helpful&after=junk").status_code == 200
    assert _counters(community, product_id)[0] == 23


def test_erasing_a_member_takes_their_reviews_and_marks_out_of_the_counters(community: Community, liff_member,
                                                                          liff_client) -> None:
    from linecomm.members.models import Member
    from linecomm.privacy import requests as privacy_requests

    product_id = _product(community)
    hana, taro = liff_member(nickname="はな"), liff_member(nickname="たろう")
    liff_client(hana.line_user_id).post(f"/liff/reviews/products/{product_id}/mine",
                                        data=review_form(stars=2, photo=images.png_bytes()))
    taro_client = liff_client(taro.line_user_id)
    taro_client.post(f"/liff/reviews/products/{product_id}/mine", data=review_form(stars=5))
    hana_review = _review(community, product_id, hana.member_id)
    with community.session() as s:
        item = s.get(ContentItem, hana_review.content_id)
        assert item is not None
        if item.state != ContentState.PUBLISHED:
            moderation.approve(s, item, staff_id=None)  # type: ignore[arg-type]
    taro_client.post(f"/liff/reviews/reviews/{hana_review.id}/helpful")
    taro_review = _review(community, product_id, taro.member_id)
    liff_client(hana.line_user_id).post(f"/liff/reviews/reviews/{taro_review.id}/helpful")
    assert _review(community, product_id, taro.member_id).helpful_count == 1
    with community.session() as s:
        member = s.get(Member, hana.member_id)
        assert member is not None
        privacy_requests.erase(s, member)
    assert _counters(community, product_id)[:2] == (1, 5)
    assert _review(community, product_id, taro.member_id).helpful_count == 0
    assert _photo_files(community) == []


def test_reports_hide_a_review_and_the_counters_follow(community: Community, liff_member, liff_client) -> None:
    with community.session() as s:
        moderation.set_report_threshold(s, 2)
    product_id = _product(community)
    hana = liff_member(nickname="はな")
    liff_client(hana.line_user_id).post(f"/liff/reviews/products/{product_id}/mine", data=review_form(stars=1))
    review = _review(community, product_id, hana.member_id)
    assert liff_client(hana.line_user_id).post(f"/liff/reviews/reviews/{review.id}/report").status_code == 403
    reporters = [liff_client(liff_member(nickname=f"通報{i}").line_user_id) for i in range(2)]
    first = reporters[0].post(f"/liff/reviews/reviews/{review.id}/report", data={"reason": "宣伝です"})
    assert first.status_code == 303 and "reported=1" in first.headers["Location"]
    assert "reported=already" in reporters[0].post(f"/liff/reviews/reviews/{review.id}/report").headers["Location"]
    assert _counters(community, product_id)[0] == 1
    reporters[1].post(f"/liff/reviews/reviews/{review.id}/report")
    assert _counters(community, product_id) == (0, 0, [(5, 0), (4, 0), (3, 0), (2, 0), (1, 0)])
    assert not _review(community, product_id, hana.member_id).published
    page = reporters[0].get(f"/liff/reviews/products/{product_id}").get_data(as_text=True)
    assert review.body not in page and copy.NO_REVIEWS in page
    assert reporters[1].post(f"/liff/reviews/reviews/{review.id}/report").status_code == 404


def test_the_segment_condition_finds_the_members_who_reviewed_a_product(community: Community, liff_member,
                                                                        liff_client) -> None:
    from linecomm.members.models import Member
    from linecomm.reviews.service import reviewed_any

    bottle, pot = _product(community), _product(community, name="白湯ポット")
    hana, taro, _jiro = liff_member(nickname="はな"), liff_member(nickname="たろう"), liff_member(nickname="じろう")
    liff_client(hana.line_user_id).post(f"/liff/reviews/products/{bottle}/mine", data=review_form())
    liff_client(taro.line_user_id).post(f"/liff/reviews/products/{pot}/mine", data=review_form())
    with community.reader() as s:
        def who(*products: int) -> set[int]:
            return set(s.scalars(select(Member.id).where(reviewed_any(products))))

        assert who(bottle) == {hana.member_id}
        assert who(bottle, pot) == {hana.member_id, taro.member_id}
