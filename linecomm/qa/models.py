"""Q&A: members' questions and answers (their words screened by the moderation core, one content item
each), the brand's 公式 answers (written by staff, not screened), and the FAQ entries marketers promote
solved questions into. `search_key` columns hold the normalised text (linecomm.text.normalise) searched."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class QaQuestion(Base):
    __tablename__ = "qa_questions"
    __table_args__ = (Index("ix_qa_questions_category_id", "category", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content_items.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    search_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the asker was last told of an answer: at most one notice per question per window.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QaAnswer(Base):
    """An answer: a member's (`member_id`, `content_id`, moderated) or the brand's (`staff_id`, 公式)."""

    __tablename__ = "qa_answers"
    __table_args__ = (
        Index("ix_qa_answers_question_id_id", "question_id", "id"),
        # One best answer per question, whoever chose it.
        Index("uq_qa_answers_one_best", "question_id", unique=True,
              sqlite_where=text("is_best"), postgresql_where=text("is_best")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("qa_questions.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    is_official: Mapped[bool] = mapped_column(default=False)
    is_best: Mapped[bool] = mapped_column(default=False)
    best_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    best_chosen_by: Mapped[str | None] = mapped_column(String(16))  # asker | staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QaFaq(Base):
    """A public FAQ entry, promoted from a solved question (its text edited by a marketer)."""

    __tablename__ = "qa_faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("qa_questions.id", ondelete="SET NULL"),
                                                    unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), index=True)
    search_key: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
