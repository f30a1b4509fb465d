"""Reviews' condition for push segments: "reviewed product X" (a published review of any of the products),
registered with linecomm.pushes.segments (which names this module in CONDITION_MODULES and never imports
it). The condition is linecomm.reviews.service.reviewed_any: one set-based statement at any size."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.pushes.segments import RegisteredCondition, register_condition
from linecomm.reviews.models import ReviewProduct
from linecomm.reviews.service import reviewed_any
from linecomm.text.quotes import quoted


def _names(session: Session, product_ids: tuple[int, ...]) -> dict[int, str]:
    return dict(session.execute(select(ReviewProduct.id, ReviewProduct.name)
                                .where(ReviewProduct.id.in_(product_ids))).all())


def describe_products(session: Session | None, product_ids: tuple[int, ...]) -> str:
    names = _names(session, product_ids) if session is not None else {}
    shown = [quoted(names[i]) if i in names else f"No.{i}" for i in product_ids]
    return "レビューを投稿した商品: " + "・".join(shown) + ("（いずれか）" if len(shown) > 1 else "")


def missing_products(session: Session, product_ids: tuple[int, ...]) -> list[str]:
    known = _names(session, product_ids)
    return [f"商品（No.{i}）が見つかりません。" for i in product_ids if i not in known]


register_condition(RegisteredCondition("reviewed_products", reviewed_any, describe_products, missing_products))


def form_options(session: Session, limit: int = 100) -> list[dict[str, object]]:
    """The products a marketer can pick in a segment form (active first, then by name)."""
    rows = session.execute(select(ReviewProduct.id, ReviewProduct.name, ReviewProduct.archived_at)
                           .order_by(ReviewProduct.archived_at.is_not(None), ReviewProduct.name).limit(limit)).all()
    return [{"id": product_id, "name": name, "archived": archived is not None} for product_id, name, archived in rows]
