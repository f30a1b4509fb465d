"""Q&A's rules: asking, answering (members through the moderation core, the brand as 公式), the best
answer, and what members may read. Functions only flush; the caller commits.

Visibility: members read a question, or a member's answer, only while its content item is PUBLISHED and
not redacted; a 公式 answer is visible while its question is. A best answer that is hidden stops being best
for everyone (the question reads as open again and the asker may choose another); if a moderator
publishes it again it is best again. The best answer can be changed by the asker or a moderator: the old
answer's BEST_ANSWER action is withdrawn and the new one recorded (keys carry the answer id). An answer to
one's own question is a 補足: no ANSWER_GIVEN, and it cannot be chosen best.

No editing: a question or answer, once posted, changes only through moderation (answers refer to the
question's words; a member adds a 補足 instead). Telling the asker: linecomm.qa.notices for an answer
published at once; for one a moderator approves after holding it, the state listener below and
linecomm.qa.jobs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from linecomm.actions import service as actions
from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.moderation import seams
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState
from linecomm.qa import copy
from linecomm.qa.models import QaAnswer, QaQuestion
from linecomm.queue import enqueue_after_commit
from linecomm.text import limits
from linecomm.text.normalise import normalise

PAGE = 20
TELL_ASKER_JOB = "linecomm.qa.jobs.tell_asker"


class QaError(ValueError):
    """A step a member or staff member may not take, with the Japanese message to show."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Posted:
    """The outcome of asking or answering: field errors, or the stored row and its moderation state."""

    errors: dict[str, str] = field(default_factory=dict)
    question: QaQuestion | None = None
    answer: QaAnswer | None = None
    state: str | None = None


def ref_of(question_id: int) -> str:
    return f"qa:{question_id}"


def search_key(*parts: str) -> str:
    return normalise(" ".join(parts))


def _published(content_id: ColumnElement[int] | object) -> ColumnElement[bool]:
    item = aliased(ContentItem)
    return exists().where(item.id == content_id, item.state == ContentState.PUBLISHED, item.redacted_at.is_(None))


def question_visible() -> ColumnElement[bool]:
    return _published(QaQuestion.content_id)


def answer_visible(answer: type[QaAnswer] | object = QaAnswer) -> ColumnElement[bool]:
    a = answer
    return or_(and_(a.is_official.is_(True), a.content_id.is_(None)), _published(a.content_id))  # type: ignore[attr-defined]


def _solved() -> ColumnElement[bool]:
    a = aliased(QaAnswer)
    return exists().where(a.question_id == QaQuestion.id, a.is_best.is_(True), answer_visible(a))


def _check_text(errors: dict[str, str], name: str, value: str, limit: int, required: str) -> None:
    if not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = limits.too_long(limit, len(value))


def ask(session: Session, member_id: int, title: str, body: str, category: str,
        now: datetime | None = None) -> Posted:
    """A member's question: checked (errors beside fields), screened by the moderation core (ref
    "qa:<id>"), stored whatever the verdict (members see only published ones)."""
    title, body, category = (title or "").strip(), (body or "").strip(), (category or "").strip()
    errors: dict[str, str] = {}
    _check_text(errors, "title", title, copy.TITLE_MAX, copy.TITLE_REQUIRED)
    _check_text(errors, "body", body, copy.BODY_MAX, copy.BODY_REQUIRED)
    if category not in copy.CATEGORIES:
        errors["category"] = copy.CATEGORY_REQUIRED
    if errors:
        return Posted(errors)
    now = now or utcnow()
    item = moderation.submit(session, member_id, ContentKind.QUESTION, f"{title}\n\n{body}", None, now)
    question = QaQuestion(member_id=member_id, content_id=item.id, title=title, body=body, category=category,
                          search_key=search_key(title, body), created_at=now)
    session.add(question)
    session.flush()
    item.ref = ref_of(question.id)
    session.flush()
    return Posted(question=question, state=item.state)


def visible_question(session: Session, question_id: int) -> QaQuestion | None:
    return session.scalar(select(QaQuestion).where(QaQuestion.id == question_id, question_visible()))


def visible_answer(session: Session, answer_id: int) -> QaAnswer | None:
    return session.scalar(select(QaAnswer).where(QaAnswer.id == answer_id, answer_visible()))


def answer(session: Session, question_id: int, member_id: int, body: str, now: datetime | None = None) -> Posted:
    """A member's answer to a visible question, screened by the moderation core. Records ANSWER_GIVEN
    (once per answer, key "qa-answer:<id>") when the question is another member's and it was not refused."""
    question = visible_question(session, question_id)
    if question is None:
        raise QaError(copy.NOT_FOUND, 404)
    body = (body or "").strip()
    errors: dict[str, str] = {}
    _check_text(errors, "body", body, copy.ANSWER_MAX, copy.ANSWER_REQUIRED)
    if errors:
        return Posted(errors, question=question)
    now = now or utcnow()
    item = moderation.submit(session, member_id, ContentKind.ANSWER, body, ref_of(question.id), now)
    row = QaAnswer(question_id=question.id, member_id=member_id, content_id=item.id, body=body,
                   is_official=False, is_best=False, created_at=now)
    session.add(row)
    session.flush()
    if item.state != ContentState.BLOCKED and question.member_id != member_id:
        actions.record(session, member_id, ActionKind.ANSWER_GIVEN, f"qa-answer:{row.id}",
                       ref=ref_of(question.id), content_id=item.id, at=now)
    return Posted(question=question, answer=row, state=item.state)


def brand_answer(session: Session, question_id: int, staff_id: int | None, body: str,
                 now: datetime | None = None) -> Posted:
    """An answer as the brand (公式), by staff: not screened, stored with the staff member, shown escaped."""
    question = visible_question(session, question_id)
    if question is None:
        raise QaError(copy.NOT_FOUND, 404)
    body = (body or "").strip()
    errors: dict[str, str] = {}
    _check_text(errors, "body", body, copy.ANSWER_MAX, copy.ANSWER_REQUIRED)
    if errors:
        return Posted(errors, question=question)
    row = QaAnswer(question_id=question.id, member_id=None, staff_id=staff_id, content_id=None, body=body,
                   is_official=True, is_best=False, created_at=now or utcnow())
    session.add(row)
    session.flush()
    return Posted(question=question, answer=row, state=ContentState.PUBLISHED)


def choose_best(session: Session, question_id: int, answer_id: int, *, by_member_id: int | None = None,
                by_staff: bool = False, now: datetime | None = None) -> tuple[int | None, int]:
    """Make `answer_id` the question's best answer: by its asker (`by_member_id`) or a moderator
    (`by_staff`). Another best answer is replaced (its BEST_ANSWER action withdrawn); the new one's member
    author gets BEST_ANSWER (key "qa-best:<question>:<answer>"). Returns (previous best id, new best id)."""
    question = visible_question(session, question_id)
    if question is None:
        raise QaError(copy.NOT_FOUND, 404)
    if not by_staff and (by_member_id is None or question.member_id != by_member_id):
        raise QaError(copy.NOT_ASKER, 403)
    chosen = session.scalar(select(QaAnswer).where(QaAnswer.id == answer_id, QaAnswer.question_id == question.id,
                                                   answer_visible()))
    if chosen is None:
        raise QaError(copy.ANSWER_NOT_FOUND, 404)
    if chosen.member_id is not None and chosen.member_id == question.member_id:
        raise QaError(copy.OWN_ANSWER, 400)
    now = now or utcnow()
    previous = session.scalar(select(QaAnswer).where(QaAnswer.question_id == question.id, QaAnswer.is_best.is_(True)))
    if previous is not None and previous.id == chosen.id:
        return previous.id, chosen.id
    if previous is not None:
        previous.is_best, previous.best_chosen_at, previous.best_chosen_by = False, None, None
        session.flush()  # one best answer per question: the old flag goes before the new one is set
        actions.withdraw(session, f"qa-best:{question.id}:{previous.id}", at=now)
    chosen.is_best, chosen.best_chosen_at = True, now
    chosen.best_chosen_by = "staff" if by_staff else "asker"
    session.flush()
    if chosen.member_id is not None:
        actions.record(session, chosen.member_id, ActionKind.BEST_ANSWER, f"qa-best:{question.id}:{chosen.id}",
                       ref=ref_of(question.id), content_id=chosen.content_id, at=now)
    return (previous.id if previous else None), chosen.id


@dataclass(frozen=True)
class Listed:
    question: QaQuestion
    answers: int
    solved: bool


def _answer_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(select(QaAnswer.question_id, func.count()).where(QaAnswer.question_id.in_(ids),
                                                                          answer_visible())
                           .group_by(QaAnswer.question_id))
    return {qid: int(n) for qid, n in rows}


def questions(session: Session, *, status: str | None = None, category: str | None = None,
              query: str | None = None, before_id: int | None = None, limit: int = PAGE) -> list[Listed]:
    """Visible questions, newest first (keyset by id): `status` "open" / "solved", a category, and words
    all found in the normalised title and text (全角/半角, カタカナ/ひらがな alike)."""
    stmt = select(QaQuestion, _solved().label("solved")).where(question_visible())
    if status == "solved":
        stmt = stmt.where(_solved())
    elif status == "open":
        stmt = stmt.where(~_solved())
    if category in copy.CATEGORIES:
        stmt = stmt.where(QaQuestion.category == category)
    for word in normalise(query or "").split()[:5]:
        stmt = stmt.where(QaQuestion.search_key.contains(word, autoescape=True))
    if before_id is not None:
        stmt = stmt.where(QaQuestion.id < before_id)
    rows = session.execute(stmt.order_by(QaQuestion.id.desc()).limit(limit)).all()
    counts = _answer_counts(session, [q.id for q, _ in rows])
    return [Listed(q, counts.get(q.id, 0), bool(solved)) for q, solved in rows]


@dataclass(frozen=True)
class Shown:
    answer: QaAnswer
    nickname: str | None


def answers_of(session: Session, question_id: int) -> list[Shown]:
    """The question's visible answers: the best first, then oldest first."""
    rows = session.execute(
        select(QaAnswer, Member.nickname).outerjoin(Member, Member.id == QaAnswer.member_id)
        .where(QaAnswer.question_id == question_id, answer_visible())
        .order_by(QaAnswer.is_best.desc(), QaAnswer.id)
    ).all()
    return [Shown(a, nickname) for a, nickname in rows]


def nickname_of(session: Session, member_id: int | None) -> str | None:
    return session.scalar(select(Member.nickname).where(Member.id == member_id)) if member_id else None


def askers(session: Session, rows: list[Listed]) -> dict[int, str | None]:
    """Question id -> the asker's nickname, in one query."""
    ids = {r.question.member_id for r in rows if r.question.member_id is not None}
    names = dict(session.execute(select(Member.id, Member.nickname).where(Member.id.in_(ids))).all()) if ids else {}
    return {r.question.id: names.get(r.question.member_id) for r in rows}  # type: ignore[arg-type]


def unanswered(session: Session, older_than: datetime, before_id: int | None = None,
               limit: int = 50) -> list[QaQuestion]:
    """Visible questions asked before `older_than` that no visible answer has reached, oldest first."""
    a = aliased(QaAnswer)
    stmt = select(QaQuestion).where(question_visible(), QaQuestion.created_at < older_than,
                                    ~exists().where(a.question_id == QaQuestion.id, answer_visible(a)))
    if before_id is not None:
        stmt = stmt.where(QaQuestion.id > before_id)
    return list(session.scalars(stmt.order_by(QaQuestion.id).limit(limit)))


def mine(session: Session, member_id: int, limit: int = 10) -> tuple[list[Listed], list[tuple[QaAnswer, QaQuestion]]]:
    """My page: my visible questions and the questions I answered (my visible answers), newest first."""
    asked = session.execute(select(QaQuestion, _solved()).where(QaQuestion.member_id == member_id, question_visible())
                            .order_by(QaQuestion.id.desc()).limit(limit)).all()
    counts = _answer_counts(session, [q.id for q, _ in asked])
    answered = session.execute(
        select(QaAnswer, QaQuestion).join(QaQuestion, QaQuestion.id == QaAnswer.question_id)
        .where(QaAnswer.member_id == member_id, answer_visible(), question_visible())
        .order_by(QaAnswer.id.desc()).limit(limit)
    ).all()
    return [Listed(q, counts.get(q.id, 0), bool(s)) for q, s in asked], [(a, q) for a, q in answered]


def asked_or_answered() -> ColumnElement[bool]:
    """Segment condition: the member (correlated to members.id) asked a published question or wrote a
    published answer."""
    q, a = aliased(QaQuestion), aliased(QaAnswer)
    return or_(
        exists().where(q.member_id == Member.id, _published(q.content_id)),
        exists().where(a.member_id == Member.id, _published(a.content_id)),
    )


def claim_notice(session: Session, question_id: int, now: datetime, window_minutes: int) -> bool:
    """Take the question's notice slot if none was taken in the last `window_minutes` (one conditional
    UPDATE, so two answers at once cannot both take it)."""
    since = now - timedelta(minutes=window_minutes)
    taken = session.execute(
        update(QaQuestion).where(QaQuestion.id == question_id,
                                 or_(QaQuestion.notified_at.is_(None), QaQuestion.notified_at <= since))
        .values(notified_at=now).execution_options(synchronize_session=False)
    ).rowcount
    return bool(taken)


def _on_moderation(session: Session, item: ContentItem, before: str | None, now: datetime) -> None:
    """A held answer a moderator approves reaches the asker like one published at once (after commit, by
    a job that knows the LIFF id and the notice window)."""
    if before == ContentState.HELD and item.state == ContentState.PUBLISHED:
        answer_id = session.scalar(select(QaAnswer.id).where(QaAnswer.content_id == item.id))
        if answer_id is not None:
            enqueue_after_commit(session, TELL_ASKER_JOB, answer_id)


seams.listen(ContentKind.ANSWER, _on_moderation)
