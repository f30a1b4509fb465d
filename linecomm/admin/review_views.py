"""Reviews in the console: the product catalogue (add, edit with an image, archive) and each product's
reviews with their moderation state. Marketers manage it (Permission.REVIEWS); every change is audit-logged.
Rules in linecomm.reviews.catalogue; these views parse, call, audit and commit."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.reviews import catalogue, listing
from linecomm.reviews import copy as review_copy
from linecomm.reviews.models import Review, ReviewProduct
from linecomm.staff.roles import Permission
from linecomm.uploads.images import PhotoRefused
from linecomm.uploads.serving import limit_body, photo_response, read_photo_field
from linecomm.web_runtime import get_runtime

UPLOAD_ENDPOINTS = {"admin.review_product_create", "admin.review_product_save"}
PAGE = 30


def _max_bytes() -> int:
    return get_runtime().settings.upload_max_bytes


@bp.before_app_request
def _limit_product_upload() -> None:
    if request.endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        limit_body(request, _max_bytes())


def _form_from_request() -> catalogue.ProductForm:
    form = catalogue.ProductForm(name=request.form.get("name", "")[:400],
                                 category=request.form.get("category", "")[:200],
                                 remove_photo=request.form.get("remove_photo") == "1")
    try:
        form.photo = read_photo_field(request, "photo", _max_bytes())
    except PhotoRefused as refused:
        form.errors["photo"], form.status = refused.message, refused.status
    return form


def _catalogue_page(form: catalogue.ProductForm | None = None, status: int = 200) -> Any:
    products = listing.products(db(), include_archived=True)
    return render_template("admin/reviews.html", products=products, form=form or catalogue.ProductForm(),
                           copy=review_copy), status


@bp.get("/reviews")
@requires(Permission.REVIEWS)
def reviews_catalogue() -> Any:
    return _catalogue_page()


@bp.post("/reviews/products")
@requires(Permission.REVIEWS)
def review_product_create() -> Any:
    form = _form_from_request()
    product = None if form.errors else catalogue.save(db(), None, form, max_photo_bytes=_max_bytes())
    if product is None:
        db().rollback()
        return _catalogue_page(form, form.status if form.status != 200 else 422)
    audit.record(db(), security.actor(), "review_product.create", "review_product", product.id,
                 after=catalogue.audit_view(product))
    commit()
    flash(review_copy.PRODUCT_CREATED, "info")
    return redirect(url_for("admin.review_product", product_id=product.id), 303)


def _product_page(product: ReviewProduct, form: catalogue.ProductForm | None = None, status: int = 200) -> Any:
    before = forms.int_arg(request.args.get("before"))
    rows = listing.of_product_for_staff(db(), product.id, before_id=before, limit=PAGE + 1)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    form = form or catalogue.ProductForm(name=product.name, category=product.category)
    return render_template("admin/review_product.html", product=product, form=form, rows=rows, copy=review_copy,
                           next_before=rows[-1][0].id if more and rows else None), status


@bp.get("/reviews/products/<int:product_id>")
@requires(Permission.REVIEWS)
def review_product(product_id: int) -> Any:
    return _product_page(forms.or_404(db().get(ReviewProduct, product_id)))


@bp.post("/reviews/products/<int:product_id>/edit")
@requires(Permission.REVIEWS)
def review_product_save(product_id: int) -> Any:
    product = forms.or_404(db().get(ReviewProduct, product_id))
    before = catalogue.audit_view(product)
    form = _form_from_request()
    saved = None if form.errors else catalogue.save(db(), product, form, max_photo_bytes=_max_bytes())
    if saved is None:
        db().rollback()
        return _product_page(forms.or_404(db().get(ReviewProduct, product_id)), form,
                             form.status if form.status != 200 else 422)
    audit.record(db(), security.actor(), "review_product.update", "review_product", product.id, before=before,
                 after=catalogue.audit_view(product))
    commit()
    flash(review_copy.PRODUCT_SAVED, "info")
    return redirect(url_for("admin.review_product", product_id=product.id), 303)


@bp.post("/reviews/products/<int:product_id>/archive")
@requires(Permission.REVIEWS)
def review_product_archive(product_id: int) -> Any:
    product = forms.or_404(db().get(ReviewProduct, product_id))
    archived = request.form.get("action") != "restore"
    before = catalogue.audit_view(product)
    catalogue.archive(db(), product, archived)
    audit.record(db(), security.actor(), "review_product.archive" if archived else "review_product.restore",
                 "review_product", product.id, before=before, after=catalogue.audit_view(product))
    commit()
    flash(review_copy.PRODUCT_ARCHIVED if archived else review_copy.PRODUCT_RESTORED, "info")
    return redirect(url_for("admin.review_product", product_id=product.id), 303)


@bp.get("/reviews/products/<int:product_id>/photo")
@requires(Permission.REVIEWS)
def review_product_photo(product_id: int) -> Any:
    product = forms.or_404(db().get(ReviewProduct, product_id))
    return photo_response(db(), request, forms.or_404(product.photo_id), cache_seconds=0)


@bp.get("/reviews/<int:review_id>/photo")
@requires(Permission.REVIEWS)
def review_photo_for_staff(review_id: int) -> Any:
    review = forms.or_404(db().get(Review, review_id))
    return photo_response(db(), request, forms.or_404(review.photo_id), cache_seconds=0)
