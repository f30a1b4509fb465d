"""Members' review pages (LIFF): the products with their averages, a product's page (average, distribution,
reviews newest / most helpful, a page at a time), my review of a product (write or edit, with a photo),
"helpful", the photos, and my page's 「わたしのレビュー」.

The review written or edited is always the signed-in member's own (no review id is taken from the client
for writing). A photo is served only while its review is visible, or to its author. Parsing here, rules in
linecomm.reviews.service; an action commits once.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from linecomm.liff.access import SignedInMember, commit, current, db, member_action, member_page, refusal
from linecomm.liff.sections import register_my_page_section
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentState
from linecomm.reviews import copy, listing, service
from linecomm.reviews.models import Review, ReviewProduct
from linecomm.uploads import copy as upload_copy
from linecomm.uploads.images import PhotoRefused
from linecomm.uploads.serving import limit_body, photo_response, read_photo_field
from linecomm.web_runtime import get_runtime

bp = Blueprint("liff_reviews", __name__, url_prefix="/liff/reviews")
MY_REVIEWS_SHOWN = 10


def _max_photo_bytes() -> int:
    return get_runtime().settings.upload_max_bytes


@bp.before_app_request
def _limit_upload_size() -> None:
    """Cap the body of the review form before anything reads it (the control-character check parses forms
    first): a larger body is refused with 413 (`_too_large`) without being read."""
    if request.blueprint == bp.name and request.method == "POST":
        limit_body(request, _max_photo_bytes())


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Any:
    message = upload_copy.too_large(_max_photo_bytes())
    person = current()
    product_id = (request.view_args or {}).get("product_id")
    if request.endpoint == "liff_reviews.save_mine" and isinstance(person, SignedInMember) and product_id:
        product = service.active_product(db(), product_id)
        if product is not None:
            return _form(db(), person, product, errors={"photo": message}, status=413)
    return refusal(413, message)


def _visible_product(session: Session, product_id: int) -> ReviewProduct:
    product = service.active_product(session, product_id)
    if product is None:
        abort(404, copy.PRODUCT_NOT_FOUND)
    return product


@bp.get("", strict_slashes=False)
@member_page
def index(member: SignedInMember) -> Any:
    products = listing.products(db())
    return render_template("liff/reviews.html", products=products, copy=copy,
                           reviewed=listing.reviewed_product_ids(db(), member.member_id))


@bp.get("/products/<int:product_id>")
@member_page
def product_page(product_id: int, member: SignedInMember) -> Any:
    product = _visible_product(db(), product_id)
    sort = request.args.get("sort", "new")
    sort = sort if sort in listing.SORTS else "new"
    cursor = listing.parse_cursor(sort, request.args.get("after"))
    page = listing.page(db(), product.id, sort, cursor)
    ids = [row.review.id for row in page.rows]
    reported = {"1": copy.REPORTED, "already": copy.REPORTED_ALREADY}.get(request.args.get("reported", ""))
    return render_template("liff/reviews_product.html", product=product, page=page, sort=sort, copy=copy,
                           reported=reported,
                           deep=cursor is not None, marked=listing.marked_by(db(), member.member_id, ids),
                           mine=service.review_of(db(), product.id, member.member_id), member=member)


def _form(session: Session, member: SignedInMember, product: ReviewProduct, *, errors: dict[str, str] | None = None,
          values: dict[str, str] | None = None, status: int = 200, notice: str | None = None) -> Any:
    review = service.review_of(session, product.id, member.member_id)
    if values is None:
        values = {"stars": str(review.stars) if review else "", "body": review.body if review else ""}
    state = None
    if review is not None and review.content_id:
        from linecomm.moderation.models import ContentItem

        item = session.get(ContentItem, review.content_id)
        state = item.state if item else None
    page = render_template("liff/reviews_form.html", product=product, review=review, values=values,
                           errors=errors or {}, copy=copy, can_post=member.can_post, state=state, notice=notice,
                           max_mb=max(1, _max_photo_bytes() // (1024 * 1024)))
    return page, status


@bp.get("/products/<int:product_id>/mine")
@member_page
def mine(product_id: int, member: SignedInMember) -> Any:
    product = _visible_product(db(), product_id)
    notice = {"published": copy.PUBLISHED, "held": copy.HELD}.get(request.args.get("saved", ""))
    return _form(db(), member, product, notice=notice)


@bp.post("/products/<int:product_id>/mine")
@member_action
def save_mine(product_id: int, member: SignedInMember) -> Any:
    values = {"stars": request.form.get("stars", "")[:4], "body": request.form.get("body", "")[:copy.BODY_MAX * 4]}
    try:
        photo = read_photo_field(request, "photo", _max_photo_bytes())
    except PhotoRefused as refused:
        product = _visible_product(db(), product_id)
        return _form(db(), member, product, errors={"photo": refused.message}, values=values, status=refused.status)
    draft = service.Draft(values["stars"], values["body"], photo, request.form.get("remove_photo") == "1")
    saved = service.save(db(), product_id, member.member_id, draft, max_photo_bytes=_max_photo_bytes())
    if saved.status == 404:
        db().rollback()
        return refusal(404, copy.PRODUCT_NOT_FOUND)
    if saved.errors:
        db().rollback()
        product = _visible_product(db(), product_id)
        return _form(db(), member, product, errors=saved.errors, values=values, status=saved.status)
    commit()
    state = "published" if saved.state == ContentState.PUBLISHED else "held"
    return redirect(url_for("liff_reviews.mine", product_id=product_id, saved=state), 303)


@bp.post("/reviews/<int:review_id>/helpful")
@member_action
def helpful(review_id: int, member: SignedInMember) -> Any:
    outcome = service.mark_helpful(db(), review_id, member.member_id)
    if outcome is service.Helpful.OWN:
        db().rollback()
        return refusal(403, copy.HELPFUL_OWN)
    if outcome in (service.Helpful.NOT_VISIBLE, service.Helpful.NOT_ALLOWED):
        db().rollback()
        return refusal(404 if outcome is service.Helpful.NOT_VISIBLE else 403,
                       copy.HELPFUL_GONE if outcome is service.Helpful.NOT_VISIBLE else copy.READ_ONLY)
    review = db().get(Review, review_id)
    assert review is not None
    product_id = review.product_id
    commit()
    sort = request.form.get("sort", "new")
    return redirect(url_for("liff_reviews.product_page", product_id=product_id,
                            sort=sort if sort in listing.SORTS else "new") + f"#review-{review_id}", 303)


@bp.post("/reviews/<int:review_id>/report")
@member_action
def report(review_id: int, member: SignedInMember) -> Any:
    """Report (通報) another member's visible review to the moderators; enough reports hide it at once."""
    review = db().get(Review, review_id)
    if review is None or not review.published or review.content_id is None:
        return refusal(404, copy.HELPFUL_GONE)
    if review.member_id == member.member_id:
        return refusal(403, copy.REPORT_OWN)
    product_id = review.product_id
    outcome = moderation.report(db(), review.content_id, member.member_id, request.form.get("reason", "")[:200] or None)
    commit()
    done = "already" if outcome is moderation.ReportResult.DUPLICATE else "1"
    return redirect(url_for("liff_reviews.product_page", product_id=product_id, reported=done), 303)


@bp.get("/reviews/<int:review_id>/photo")
@member_page
def review_photo(review_id: int, member: SignedInMember) -> Any:
    """A review's photo: while the review is visible (and its product listed), or to its author."""
    review = db().get(Review, review_id)
    if review is None or not review.photo_id:
        abort(404)
    if review.member_id != member.member_id and (not review.published
                                                 or service.active_product(db(), review.product_id) is None):
        abort(404)
    return photo_response(db(), request, review.photo_id)


@bp.get("/products/<int:product_id>/photo")
@member_page
def product_photo(product_id: int, member: SignedInMember) -> Any:
    product = _visible_product(db(), product_id)
    if not product.photo_id:
        abort(404)
    return photo_response(db(), request, product.photo_id)


def my_reviews(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    """My page's 「わたしのレビュー」: my reviews with their state, linking to edit them."""
    return {"rows": listing.mine(session, member.member_id, limit=MY_REVIEWS_SHOWN), "labels": copy.STATE_LABELS,
            "can_post": member.can_post}


register_my_page_section("reviews", 30, "liff/reviews_my.html", my_reviews)
