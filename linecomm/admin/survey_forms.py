"""The survey builder's form: what the marketer typed, kept as typed (to show it again with the errors
beside each field), and turned into the surveys builder's SurveyDraft. The form works without script:
questions and choices are numbered slots (`q3_prompt`, `q3_c2_label`, ...); blank slots are ignored, so
the page always offers an empty question and two empty choices to fill in, and 「質問を追加」 posts the
form back with one more. Branching names an earlier slot's choice (`q3_show_if` = "1-2"). Times are
typed in Japan time; the segment fields are the theme posts' (SegmentForm)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from linecomm.admin.post_forms import FormError, SegmentForm
from linecomm.pushes.schedule import ScheduleError, parse_jst
from linecomm.pushes.segments import Segment
from linecomm.surveys.builder import ChoiceDraft, QuestionDraft, SurveyDraft
from linecomm.surveys.models import QuestionKind
from linecomm.timezones import format_jst

MAX_SLOTS = 60
MAX_CHOICE_SLOTS = 40
BLANK_CHOICES = 2
LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> shows
_SLOT = re.compile(r"^q(\d{1,2})_(kind|prompt)$")
_CHOICE = re.compile(r"^q(\d{1,2})_c(\d{1,2})_label$")
_REF = re.compile(r"^(\d{1,2})-(\d{1,2})$")


@dataclass
class ChoiceSlot:
    label: str = ""
    tag: str = ""
    slot: int = 0  # its number in the posted form (branching names it)


@dataclass
class QuestionSlot:
    kind: str = QuestionKind.SINGLE
    prompt: str = ""
    help_text: str = ""
    required: bool = True
    show_if: str = ""  # "question slot-choice slot" of an earlier question, or ""
    choices: list[ChoiceSlot] = field(default_factory=list)
    slot: int = 0  # its number in the posted form (branching names it)

    @property
    def blank(self) -> bool:
        return not self.prompt.strip() and not any(c.label.strip() for c in self.choices)


@dataclass
class SurveyForm:
    title: str = ""
    description: str = ""
    thank_you_message: str = ""
    opens_at: str = ""
    closes_at: str = ""
    segment: SegmentForm = field(default_factory=SegmentForm)
    questions: list[QuestionSlot] = field(default_factory=list)

    @classmethod
    def read(cls, values: Any) -> SurveyForm:
        """From request.form; question slots in their numbered order, removed ones left out."""

        def one(name: str, limit: int) -> str:
            return (values.get(name) or "")[:limit].replace("\r\n", "\n")

        numbers = sorted({int(m.group(1)) for k in values if (m := _SLOT.match(k))})[:MAX_SLOTS]
        choice_numbers: dict[int, list[int]] = {}
        for key in values:
            if m := _CHOICE.match(key):
                choice_numbers.setdefault(int(m.group(1)), []).append(int(m.group(2)))
        questions = []
        for n in numbers:
            if values.get(f"q{n}_remove"):
                continue
            choices = [ChoiceSlot(one(f"q{n}_c{k}_label", 200).strip(), one(f"q{n}_c{k}_tag", 100).strip(), k)
                       for k in sorted(set(choice_numbers.get(n, [])))[:MAX_CHOICE_SLOTS]]
            questions.append(QuestionSlot(
                kind=one(f"q{n}_kind", 16), prompt=one(f"q{n}_prompt", 400).strip(),
                help_text=one(f"q{n}_help", 400).strip(), required=bool(values.get(f"q{n}_required")),
                show_if=one(f"q{n}_show_if", 8), choices=choices, slot=n,
            ))
        return cls(title=one("title", 200).strip(), description=one("description", 4000).strip(),
                   thank_you_message=one("thank_you_message", 2000).strip(), opens_at=one("opens_at", 20),
                   closes_at=one("closes_at", 20), segment=SegmentForm.read(values), questions=questions)

    @classmethod
    def of(cls, draft: SurveyDraft) -> SurveyForm:
        """The form filled with a saved survey (question slots numbered 1, 2, ... like its positions)."""
        return cls(
            title=draft.title, description=draft.description or "", thank_you_message=draft.thank_you_message or "",
            opens_at=format_jst(draft.opens_at, LOCAL), closes_at=format_jst(draft.closes_at, LOCAL),
            segment=SegmentForm.of(draft.segment),
            questions=[QuestionSlot(kind=q.kind, prompt=q.prompt, help_text=q.help_text or "", required=q.required,
                                    show_if=f"{q.show_if[0]}-{q.show_if[1]}" if q.show_if else "",
                                    choices=[ChoiceSlot(c.label, c.tag_name or "", k)
                                             for k, c in enumerate(q.choices, start=1)], slot=i)
                       for i, q in enumerate(draft.questions, start=1)],
        )

    def compact(self) -> SurveyForm:
        """The same form without blank slots, renumbered; branching references follow their choice."""
        kept = [q for q in self.questions if not q.blank]
        new_c: dict[tuple[int, int], tuple[int, int]] = {}
        questions = []
        for new, q in enumerate(kept, start=1):
            # Choice inputs of a question that takes none are ignored (the page says so, and hides them).
            labelled = [c for c in q.choices if c.label.strip()] if q.kind in QuestionKind.WITH_CHOICES else []
            for new_k, c in enumerate(labelled, start=1):
                new_c[(q.slot, c.slot)] = (new, new_k)
            questions.append(QuestionSlot(q.kind, q.prompt, q.help_text, q.required, q.show_if,
                                          [ChoiceSlot(c.label, c.tag, k) for k, c in enumerate(labelled, start=1)],
                                          new))
        for q in questions:
            ref = _REF.match(q.show_if)
            if ref:
                target = new_c.get((int(ref.group(1)), int(ref.group(2))))
                q.show_if = f"{target[0]}-{target[1]}" if target else "?"
        return SurveyForm(self.title, self.description, self.thank_you_message, self.opens_at, self.closes_at,
                          self.segment, questions)

    def with_blanks(self, questions: int = 1) -> SurveyForm:
        """Room to type: `questions` empty question slots at the end, and empty choices on each question."""
        for q in self.questions:
            q.choices.extend(ChoiceSlot(slot=len(q.choices) + i) for i in range(1, BLANK_CHOICES + 1))
        start = len(self.questions)
        self.questions.extend(QuestionSlot(choices=[ChoiceSlot(slot=k) for k in (1, 2, 3)], slot=start + i)
                              for i in range(1, questions + 1))
        return self

    def draft(self) -> tuple[SurveyDraft, dict[str, str]]:
        """The builder's draft of a compacted form (see `compact`), and the errors of the form itself
        (dates, segment, references) keyed like the builder's ("opens_at", "q2.show_if", ...)."""
        errors: dict[str, str] = {}
        opens_at = _when(self.opens_at, "opens_at", "回答受付の開始", errors)
        closes_at = _when(self.closes_at, "closes_at", "回答受付の終了", errors)
        try:
            segment = self.segment.segment()
        except FormError as exc:
            errors["segment"] = str(exc)
            segment = Segment()
        questions = []
        for pos, q in enumerate(self.questions, start=1):
            show_if = None
            if q.show_if:
                ref = _REF.match(q.show_if)
                if ref is None:
                    errors[f"q{pos}.show_if"] = "表示の条件の選択肢が見つかりません。選び直してください。"
                else:
                    show_if = (int(ref.group(1)), int(ref.group(2)))
            questions.append(QuestionDraft(
                kind=q.kind, prompt=q.prompt, help_text=q.help_text or None, required=q.required,
                choices=tuple(ChoiceDraft(c.label, c.tag or None) for c in q.choices), show_if=show_if,
            ))
        draft = SurveyDraft(title=self.title, description=self.description or None,
                            thank_you_message=self.thank_you_message or None, opens_at=opens_at, closes_at=closes_at,
                            segment=segment, questions=tuple(questions))
        return draft, errors

    def branch_options(self, slot: int) -> list[tuple[str, str]]:
        """The choices a question in `slot` may depend on: those of earlier choice questions."""
        options = []
        for i, q in enumerate(self.questions[: slot - 1], start=1):
            if q.kind in QuestionKind.WITH_CHOICES and q.prompt:
                for k, c in enumerate(q.choices, start=1):
                    if c.label:
                        options.append((f"{i}-{k}", f"Q{i}「{_short(q.prompt)}」が「{c.label}」のとき"))
        return options


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _when(value: str, key: str, what: str, errors: dict[str, str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        return parse_jst(value)
    except ScheduleError:
        errors[key] = f"{what}の日時が正しくありません（例：2026-12-01 10:00）。"
        return None
