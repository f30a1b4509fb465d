"""Surveys (アンケート): questions with choices, members' responses and their answers.

A survey is a draft until a marketer publishes it; members can answer it between `opens_at` and
`closes_at` (stored UTC, entered and shown in Japan time) if they are in its target segment. Each member
has at most one response per survey (a database constraint), editable until the survey closes; a form
posted twice carries the same `submission_key` and changes nothing the second time.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linecomm.db import Base, UTCDateTime, utcnow


class QuestionKind:
    SINGLE = "single"  # one choice
    MULTIPLE = "multiple"  # any number of choices
    TEXT = "text"  # free text (goes through the moderation core's NG-word check)
    RATING = "rating"  # 1-5
    NPS = "nps"  # 0-10: how likely to recommend

    ALL = (SINGLE, MULTIPLE, TEXT, RATING, NPS)
    WITH_CHOICES = (SINGLE, MULTIPLE)


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    thank_you_message: Mapped[str | None] = mapped_column(String(1000))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: as soon as published
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: until staff close it
    segment: Mapped[str] = mapped_column(Text, default="{}")  # linecomm.pushes.segments.Segment JSON
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: a draft
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # closed early by staff
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in the order members see them
    kind: Mapped[str] = mapped_column(String(16))  # QuestionKind
    prompt: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str | None] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # Branching: shown (and required) only when the member picked `show_if_choice_id` on an earlier question.
    show_if_choice_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_choices.id", ondelete="SET NULL", use_alter=True)
    )


class SurveyChoice(Base):
    __tablename__ = "survey_choices"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    tag_name: Mapped[str | None] = mapped_column(String(50))  # answer → tag: members who pick it get this tag


class SurveyResponse(Base):
    """One member's response to one survey (at most one: the constraint is the guarantee)."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "member_id"),
        Index("ix_survey_responses_survey_submitted", "survey_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    submission_key: Mapped[str] = mapped_column(String(64))  # the form's idempotency key, last one stored
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edit_count: Mapped[int] = mapped_column(Integer, default=0)
    # Tag names this response put on the member (JSON list): only these are taken off again when an edit
    # no longer picks their choice (a tag the member had otherwise is never removed by a survey).
    tags_added: Mapped[str | None] = mapped_column(Text)


class SurveyAnswer(Base):
    """One answer of a response: a chosen choice (one row per choice for multiple choice), a number
    (rating 1-5, NPS 0-10) or a text (held in the moderation core as a content item too)."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        Index("ix_survey_answers_question_choice", "question_id", "choice_id"),
        Index("ix_survey_answers_response", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("survey_choices.id", ondelete="CASCADE"))
    number: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)
    content_item_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id", ondelete="SET NULL"))


class SurveyAnnouncement(Base):
    """A push announcing a survey (its LIFF link and a button), sent by the delivery engine."""

    __tablename__ = "survey_announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("push_deliveries.id"), unique=True)
    message: Mapped[str] = mapped_column(String(1000))
    messages: Mapped[str] = mapped_column(Text)  # JSON: the LINE messages (text + LIFF button), frozen when made
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # mirrors the delivery's status
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
