"""Demo data for reviews (`linecomm demo`): three products with simple pictures and a few reviews by the demo
members, one marked helpful, so a newcomer can open 「レビュー」 and see averages, sorting and "helpful".
Only once: a demo user's own reviews and edits stay."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.reviews import catalogue, service
from linecomm.reviews.models import ReviewProduct
from linecomm.uploads import storage

PRODUCTS = (("白湯ポット 600ml", "キッチン", (225, 214, 196)),
            ("ステンレスタンブラー", "キッチン", (160, 170, 180)),
            ("リネンのふきん", "暮らしの道具", (214, 200, 170)))
REVIEWS = (  # nickname, product index, stars, text
    ("はなこ", 0, 5, "朝の白湯が習慣になりました。注ぎ口が細くて、こぼれにくいのが気に入っています。"),
    ("いちろう", 0, 4, "保温はほどほどですが、見た目がすっきりしていて台所に出しっぱなしでも気になりません。"),
    ("はなこ", 1, 4, "氷が長持ちします。食洗機に入れられたらもっとうれしいです。"),
)


def _picture(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (480, 480), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def seed(session: Session, max_photo_bytes: int = 10 * 1024 * 1024) -> None:
    if session.scalar(select(ReviewProduct.id).where(ReviewProduct.name == PRODUCTS[0][0])) is not None:
        return
    ids = []
    pictures = storage.DIR_KEY in session.info  # a session of the app's runtime knows the upload folder
    for name, category, color in PRODUCTS:
        form = catalogue.ProductForm(name=name, category=category, photo=_picture(color) if pictures else None)
        product = catalogue.save(session, None, form, max_photo_bytes=max_photo_bytes)
        assert product is not None, form.errors
        ids.append(product.id)
    written = []
    for nickname, index, stars, text in REVIEWS:
        member_id = session.scalar(select(Member.id).where(Member.nickname == nickname))
        if member_id is None:
            continue
        saved = service.save(session, ids[index], member_id, service.Draft(str(stars), text),
                             max_photo_bytes=max_photo_bytes)
        if saved.review is not None and not saved.errors:
            written.append((saved.review.id, member_id))
    if len(written) >= 2:
        service.mark_helpful(session, written[0][0], written[1][1])
