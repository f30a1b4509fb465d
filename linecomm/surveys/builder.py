"""Building surveys (the admin side): save a draft, publish it, edit it safely, close it early.

A draft may change freely. Once published, a survey without responses may still change freely (nobody has
answered what it asked). Once it has responses only its wording (title, description, thank-you message,
question prompts and help texts, choice labels) and its period may change: answers point at questions and
choices, tags were already given for chosen choices, and a response is checked against required flags and
branching when it is stored, so changing any of those would silently re-interpret or invalidate what
members already said. Functions only flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members import tags
from linecomm.members.models import Tag
from linecomm.pushes.segments import Segment, segment_problems, unknown_tags
from linecomm.surveys import copy_admin as copy
from linecomm.surveys.models import QuestionKind, Survey, SurveyChoice, SurveyQuestion, SurveyResponse

MAX_QUESTIONS = 50
MAX_CHOICES = 30


class BuilderError(ValueError):
    """The draft cannot be saved or published; `errors` maps a field ("title", "q2.choices", ...) to a
    Japanese message (question and choice numbers are positions, from 1)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ChoiceDraft:
    label: str
    tag_name: str | None = None


@dataclass(frozen=True)
class QuestionDraft:
    kind: str
    prompt: str
    help_text: str | None = None
    required: bool = True
    choices: tuple[ChoiceDraft, ...] = ()
    show_if: tuple[int, int] | None = None  # (question position, choice position) of an earlier question


@dataclass(frozen=True)
class SurveyDraft:
    title: str
    description: str | None = None
    thank_you_message: str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    segment: Segment = field(default_factory=Segment)
    questions: tuple[QuestionDraft, ...] = ()

    def structure(self) -> list[tuple[object, ...]]:
        """What may not change once members answered: kinds, flags, branching, choice count and tags."""
        return [(q.kind, q.required, q.show_if, tuple(c.tag_name for c in q.choices)) for q in self.questions]


def status_of(survey: Survey, now: datetime | None = None) -> str:
    """"draft", "scheduled" (published, not open yet), "open" or "closed"."""
    now = now or utcnow()
    if survey.published_at is None:
        return "draft"
    if survey.closed_at is not None or (survey.closes_at is not None and survey.closes_at <= now):
        return "closed"
    if survey.opens_at is not None and survey.opens_at > now:
        return "scheduled"
    return "open"


def has_responses(session: Session, survey_id: int) -> bool:
    return bool(session.scalar(select(exists().where(SurveyResponse.survey_id == survey_id))))


# ---- checks --------------------------------------------------------------------------------------------
def _check_question(errors: dict[str, str], draft: SurveyDraft, pos: int, q: QuestionDraft) -> None:
    key = f"q{pos}"
    if q.kind not in QuestionKind.ALL:
        errors[f"{key}.kind"] = copy.KIND
    if not q.prompt.strip() or len(q.prompt) > 300:
        errors[f"{key}.prompt"] = copy.PROMPT
    if q.help_text and len(q.help_text) > 300:
        errors[f"{key}.help_text"] = copy.HELP_TEXT
    if q.kind not in QuestionKind.WITH_CHOICES and q.choices:
        errors[f"{key}.choices"] = copy.CHOICES_ON_OTHER_KIND
    if len(q.choices) > MAX_CHOICES:
        errors[f"{key}.choices"] = copy.TOO_MANY_CHOICES
    labels = [c.label.strip() for c in q.choices]
    for c_pos, choice in enumerate(q.choices, start=1):
        if not choice.label.strip() or len(choice.label) > 100:
            errors[f"{key}.c{c_pos}.label"] = copy.CHOICE_LABEL
        if choice.tag_name:
            try:
                tags.clean_name(choice.tag_name)
            except tags.TagError as exc:
                errors[f"{key}.c{c_pos}.tag"] = copy.tag_error(str(exc))
    if len(set(labels)) != len(labels):
        errors.setdefault(f"{key}.choices", copy.DUPLICATE_CHOICE)
    if q.show_if is not None:
        target_q, target_c = q.show_if
        if not 1 <= target_q < pos:
            errors[f"{key}.show_if"] = copy.BRANCH_BACKWARD
        elif draft.questions[target_q - 1].kind not in QuestionKind.WITH_CHOICES:
            errors[f"{key}.show_if"] = copy.BRANCH_NOT_CHOICE
        elif not 1 <= target_c <= len(draft.questions[target_q - 1].choices):
            errors[f"{key}.show_if"] = copy.BRANCH_UNKNOWN


def field_errors(session: Session, draft: SurveyDraft) -> dict[str, str]:
    """What makes the draft unsavable (a draft may still be incomplete: see `publish_errors`)."""
    errors: dict[str, str] = {}
    if not draft.title.strip() or len(draft.title) > 100:
        errors["title"] = copy.TITLE
    if draft.description and len(draft.description) > 2000:
        errors["description"] = copy.DESCRIPTION
    if draft.thank_you_message and len(draft.thank_you_message) > 1000:
        errors["thank_you_message"] = copy.THANK_YOU
    if draft.opens_at and draft.closes_at and draft.opens_at >= draft.closes_at:
        errors["period"] = copy.PERIOD_ORDER
    missing = unknown_tags(session, draft.segment)
    problems = ([copy.unknown_tags(missing)] if missing else []) + segment_problems(session, draft.segment)
    if problems:
        errors["segment"] = " ".join(problems)
    if len(draft.questions) > MAX_QUESTIONS:
        errors["questions"] = copy.TOO_MANY_QUESTIONS
    for pos, q in enumerate(draft.questions, start=1):
        _check_question(errors, draft, pos, q)
    return errors


def publish_errors(draft: SurveyDraft, now: datetime) -> dict[str, str]:
    """What a complete survey needs on top of a savable draft: questions, and choices to choose from."""
    errors: dict[str, str] = {}
    if not draft.questions:
        errors["questions"] = copy.NO_QUESTIONS
    for pos, q in enumerate(draft.questions, start=1):
        if q.kind in QuestionKind.WITH_CHOICES and len(q.choices) < 2:
            errors[f"q{pos}.choices"] = copy.FEW_CHOICES
    if draft.closes_at is not None and draft.closes_at <= now:
        errors["period"] = copy.PERIOD_PAST
    return errors


# ---- reading -------------------------------------------------------------------------------------------
def get_survey(session: Session, survey_id: int, *, lock: bool = False) -> Survey:
    stmt = select(Survey).where(Survey.id == survey_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    survey = session.scalar(stmt)
    if survey is None:
        raise BuilderError({"survey": copy.NOT_FOUND})
    return survey


def questions_of(session: Session, survey_id: int) -> list[tuple[SurveyQuestion, list[SurveyChoice]]]:
    """The survey's questions in order, each with its choices in order (two queries)."""
    questions = list(session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position)))
    choices: dict[int, list[SurveyChoice]] = {q.id: [] for q in questions}
    if questions:
        for choice in session.scalars(select(SurveyChoice).where(SurveyChoice.question_id.in_(list(choices)))
                                      .order_by(SurveyChoice.question_id, SurveyChoice.position)):
            choices[choice.question_id].append(choice)
    return [(q, choices[q.id]) for q in questions]


def draft_of(session: Session, survey: Survey) -> SurveyDraft:
    """The saved survey as a draft (to edit it, or to check it before publishing)."""
    loaded = questions_of(session, survey.id)
    where: dict[int, tuple[int, int]] = {}
    for q_pos, (_, choices) in enumerate(loaded, start=1):
        for c_pos, choice in enumerate(choices, start=1):
            where[choice.id] = (q_pos, c_pos)
    questions = tuple(
        QuestionDraft(kind=q.kind, prompt=q.prompt, help_text=q.help_text, required=q.required,
                      choices=tuple(ChoiceDraft(c.label, c.tag_name) for c in choices),
                      show_if=where.get(q.show_if_choice_id) if q.show_if_choice_id else None)
        for q, choices in loaded
    )
    return SurveyDraft(title=survey.title, description=survey.description,
                       thank_you_message=survey.thank_you_message, opens_at=survey.opens_at,
                       closes_at=survey.closes_at, segment=Segment.from_json(survey.segment), questions=questions)


# ---- writing -------------------------------------------------------------------------------------------
def _ensure_tags(session: Session, draft: SurveyDraft, created_by: str | None) -> list[str]:
    """Create the tags the choices name that do not exist yet (answer → tag); their names."""
    wanted = {tags.clean_name(c.tag_name) for q in draft.questions for c in q.choices if c.tag_name}
    if not wanted:
        return []
    known = set(session.scalars(select(Tag.name).where(Tag.name.in_(wanted))))
    created = sorted(wanted - known)
    for name in created:
        tags.create(session, name, created_by=created_by)
    return created


def _apply_fields(survey: Survey, draft: SurveyDraft) -> None:
    survey.title = draft.title.strip()
    survey.description = (draft.description or "").strip() or None
    survey.thank_you_message = (draft.thank_you_message or "").strip() or None
    survey.opens_at, survey.closes_at = draft.opens_at, draft.closes_at


def _write_questions(session: Session, survey_id: int, draft: SurveyDraft) -> None:
    """Replace the survey's questions and choices with the draft's (only while nobody has answered)."""
    question_ids = select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey_id)
    session.execute(update(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
                    .values(show_if_choice_id=None))
    session.execute(delete(SurveyChoice).where(SurveyChoice.question_id.in_(question_ids)))
    session.execute(delete(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id))
    choice_ids: dict[tuple[int, int], int] = {}
    for q_pos, q in enumerate(draft.questions, start=1):
        question = SurveyQuestion(
            survey_id=survey_id, position=q_pos, kind=q.kind, prompt=q.prompt.strip(),
            help_text=(q.help_text or "").strip() or None, required=q.required,
            show_if_choice_id=choice_ids[q.show_if] if q.show_if else None,
        )
        session.add(question)
        session.flush()
        for c_pos, c in enumerate(q.choices, start=1):
            choice = SurveyChoice(question_id=question.id, position=c_pos, label=c.label.strip(),
                                  tag_name=tags.clean_name(c.tag_name) if c.tag_name else None)
            session.add(choice)
            session.flush()
            choice_ids[(q_pos, c_pos)] = choice.id


def _reword(session: Session, survey_id: int, draft: SurveyDraft) -> None:
    """Change only the wording of the questions and choices, in place (their ids stay)."""
    for (question, choices), q in zip(questions_of(session, survey_id), draft.questions, strict=True):
        question.prompt, question.help_text = q.prompt.strip(), (q.help_text or "").strip() or None
        for choice, c in zip(choices, q.choices, strict=True):
            choice.label = c.label.strip()


def create_survey(session: Session, draft: SurveyDraft, created_by: str | None = None,
                  now: datetime | None = None) -> tuple[Survey, list[str]]:
    """Save a new draft; returns it and the tags its choices created."""
    errors = field_errors(session, draft)
    if errors:
        raise BuilderError(errors)
    now = now or utcnow()
    created = _ensure_tags(session, draft, created_by)
    survey = Survey(segment=draft.segment.to_json(), created_by=created_by, created_at=now, updated_at=now)
    _apply_fields(survey, draft)
    session.add(survey)
    session.flush()
    _write_questions(session, survey.id, draft)
    return survey, created


def update_survey(session: Session, survey_id: int, draft: SurveyDraft, created_by: str | None = None,
                  now: datetime | None = None) -> tuple[Survey, list[str]]:
    """Save changes: everything while nobody answered; only wording and period once someone did (see the
    module docstring). A published survey must stay publishable. Returns it and the tags created."""
    now = now or utcnow()
    survey = get_survey(session, survey_id, lock=True)
    if survey.closed_at is not None:
        raise BuilderError({"survey": copy.ALREADY_CLOSED})
    errors = field_errors(session, draft)
    if survey.published_at is not None:
        errors = publish_errors(draft, now) | errors
    if not errors and has_responses(session, survey.id):
        saved = draft_of(session, survey)
        if saved.structure() != draft.structure() or saved.segment != draft.segment:
            errors["questions"] = copy.STRUCTURE_LOCKED
        else:
            _apply_fields(survey, draft)
            _reword(session, survey.id, draft)
            survey.updated_at = now
            return survey, []
    if errors:
        raise BuilderError(errors)
    created = _ensure_tags(session, draft, created_by)
    _apply_fields(survey, draft)
    survey.segment = draft.segment.to_json()
    _write_questions(session, survey.id, draft)
    survey.updated_at = now
    return survey, created


def publish(session: Session, survey_id: int, now: datetime | None = None) -> Survey:
    """Publish a draft (members in its segment can answer it from its opening time)."""
    now = now or utcnow()
    survey = get_survey(session, survey_id, lock=True)
    if survey.published_at is not None:
        raise BuilderError({"survey": copy.NOT_DRAFT})
    draft = draft_of(session, survey)
    errors = field_errors(session, draft) | publish_errors(draft, now)
    if errors:
        raise BuilderError(errors)
    survey.published_at = survey.updated_at = now
    return survey


def close(session: Session, survey_id: int, now: datetime | None = None) -> Survey:
    """Stop taking responses now (responses already given stay; members can no longer edit them)."""
    now = now or utcnow()
    survey = get_survey(session, survey_id, lock=True)
    if survey.published_at is None:
        raise BuilderError({"survey": copy.NOT_PUBLISHED})
    if status_of(survey, now) == "closed":
        raise BuilderError({"survey": copy.ALREADY_CLOSED})
    survey.closed_at = survey.updated_at = now
    return survey
