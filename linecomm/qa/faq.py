"""The FAQ: marketers promote a solved question into an entry (title, text and category edited), edit it,
or withdraw it; members search it. Matching uses the normalised text (NFKC, width, kana folded), so 全角 and
半角, カタカナ and ひらがな find the same entries. Functions only flush; the caller commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.qa import copy, service
from linecomm.qa.models import QaAnswer, QaFaq
from linecomm.text import limits
from linecomm.text.normalise import normalise

NOT_SOLVED = "解決済み（ベストアンサーのある）質問だけをよくある質問にできます。"
ALREADY_PROMOTED = "この質問はすでによくある質問になっています。"


@dataclass
class FaqDraft:
    title: str = ""
    body: str = ""
    category: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, title: str, body: str, category: str) -> FaqDraft:
        draft = cls((title or "").strip(), (body or "").strip(), (category or "").strip())
        if not draft.title:
            draft.errors["title"] = copy.TITLE_REQUIRED
        elif len(draft.title) > copy.TITLE_MAX:
            draft.errors["title"] = limits.too_long(copy.TITLE_MAX, len(draft.title))
        if not draft.body:
            draft.errors["body"] = "回答の本文をご記入ください。"
        elif len(draft.body) > copy.FAQ_BODY_MAX:
            draft.errors["body"] = limits.too_long(copy.FAQ_BODY_MAX, len(draft.body))
        if draft.category not in copy.CATEGORIES:
            draft.errors["category"] = copy.CATEGORY_REQUIRED
        return draft


def suggested(session: Session, question_id: int) -> FaqDraft | None:
    """A starting draft from a solved question: its title, and its best answer as the text."""
    question = service.visible_question(session, question_id)
    if question is None:
        return None
    best = session.scalar(select(QaAnswer).where(QaAnswer.question_id == question.id, QaAnswer.is_best.is_(True),
                                                 service.answer_visible()))
    if best is None:
        return None
    return FaqDraft(question.title, best.body, question.category)


def promote(session: Session, question_id: int, draft: FaqDraft, staff_id: int | None,
            now: datetime | None = None) -> QaFaq:
    """Make a FAQ entry of a solved question (once per question)."""
    if suggested(session, question_id) is None:
        raise service.QaError(NOT_SOLVED, 409)
    if session.scalar(select(QaFaq.id).where(QaFaq.question_id == question_id)) is not None:
        raise service.QaError(ALREADY_PROMOTED, 409)
    entry = QaFaq(question_id=question_id, title=draft.title, body=draft.body, category=draft.category,
                  search_key=normalise(f"{draft.title} {draft.body}"), created_by=staff_id,
                  created_at=now or utcnow())
    session.add(entry)
    session.flush()
    return entry


def update(session: Session, entry: QaFaq, draft: FaqDraft, now: datetime | None = None) -> None:
    entry.title, entry.body, entry.category = draft.title, draft.body, draft.category
    entry.search_key, entry.updated_at = normalise(f"{draft.title} {draft.body}"), now or utcnow()
    session.flush()


def search(session: Session, query: str | None = None, category: str | None = None,
           before_id: int | None = None, limit: int = 20) -> list[QaFaq]:
    """FAQ entries whose normalised title and text hold every word of `query`, newest first."""
    stmt = select(QaFaq)
    for word in normalise(query or "").split()[:5]:
        stmt = stmt.where(QaFaq.search_key.contains(word, autoescape=True))
    if category in copy.CATEGORIES:
        stmt = stmt.where(QaFaq.category == category)
    if before_id is not None:
        stmt = stmt.where(QaFaq.id < before_id)
    return list(session.scalars(stmt.order_by(QaFaq.id.desc()).limit(limit)))


def newest_titles(session: Session, limit: int = 5) -> list[str]:
    return list(session.scalars(select(QaFaq.title).order_by(QaFaq.id.desc()).limit(limit)))
