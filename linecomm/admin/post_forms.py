"""The theme post forms of the console: what the marketer typed, kept as typed (to show it again), and
turned into the themes services' values (PostDraft, Segment, SendPlan). Times are typed in Japan time."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from linecomm.admin import forms
from linecomm.line.limits import MAX_QUICK_REPLY_ITEMS
from linecomm.pushes.errors import PushError
from linecomm.pushes.schedule import ScheduleError, parse_jst, parse_jst_date, parse_time_of_day
from linecomm.pushes.segments import Segment
from linecomm.themes.content import CHOICE_KINDS, Choice, choices_from_json
from linecomm.themes.models import AnswerMode, ThemePost
from linecomm.themes.posts import PostDraft
from linecomm.themes.scheduling import SendPlan
from linecomm.timezones import format_jst

SEGMENT_FIELDS = ("cohort", "tag", "exclude_tag", "joined_from", "joined_to", "active_within", "inactive_for",
                  "answered_survey", "answered_choice", "reviewed_product", "supported_an_idea", "asked_or_answered",
                  "rank_at_least", "points_at_least")
SCHEDULE_KINDS = ("now", "once", "weekly", "monthly")
DAYS_MAX = 3650


class FormError(PushError):
    """Input the console cannot use; the message is Japanese."""


def _days(value: str, what: str) -> int | None:
    if not value.strip():
        return None
    number = forms.int_arg(value, 1, DAYS_MAX)
    if number is None:
        raise FormError(f"{what}は1〜{DAYS_MAX}の日数で入力してください。")
    return number


def _jst_datetime(value: str, what: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return parse_jst(value)
    except ScheduleError:
        raise FormError(f"{what}の日時が正しくありません（例：2026-12-01 10:00）。") from None


def _many(values: Any, name: str) -> list[str]:
    return [v.strip()[:100] for v in values.getlist(name) if v.strip()][:200]


POINTS_MAX = 100_000_000


def _number(value: str, what: str, low: int, high: int) -> int | None:
    """A number typed in a segment field (empty: None)."""
    if not value.strip():
        return None
    number = forms.int_arg(value, low, high)
    if number is None:
        raise FormError(f"{what}は{low}〜{high:,}の半角の整数で指定してください。")
    return number


def _ids(values: list[str], what: str) -> tuple[int, ...]:
    """Ids picked in the form (a survey, a choice); anything else is refused (whether they exist is the
    segment's check: linecomm.pushes.segments.segment_problems)."""
    ids = [forms.int_arg(v) for v in values]
    if any(i is None for i in ids):
        raise FormError(f"{what}の指定が正しくありません。ページを開き直してから選び直してください。")
    return tuple(dict.fromkeys(i for i in ids if i is not None))


@dataclass
class SegmentForm:
    """The segment fields (SEGMENT_FIELDS) as typed, shared by every form that targets members (theme
    posts, surveys): read from a form, filled from a saved Segment, and parsed into one."""

    cohort: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    exclude_tag: list[str] = field(default_factory=list)
    joined_from: str = ""
    joined_to: str = ""
    active_within: str = ""
    inactive_for: str = ""
    answered_survey: list[str] = field(default_factory=list)  # survey ids: answered any of them
    answered_choice: list[str] = field(default_factory=list)  # survey choice ids: picked any of them
    reviewed_product: list[str] = field(default_factory=list)  # product ids: reviewed any of them
    supported_an_idea: str = ""  # "1": supported an idea
    asked_or_answered: str = ""  # "1": asked or answered in member Q&A
    rank_at_least: str = ""  # a points rank level: that rank or above
    points_at_least: str = ""  # a points balance of at least this many

    @classmethod
    def read(cls, values: Any) -> SegmentForm:
        return cls(cohort=_many(values, "cohort"), tag=_many(values, "tag"), exclude_tag=_many(values, "exclude_tag"),
                   joined_from=(values.get("joined_from") or "")[:10], joined_to=(values.get("joined_to") or "")[:10],
                   active_within=(values.get("active_within") or "")[:5],
                   inactive_for=(values.get("inactive_for") or "")[:5],
                   answered_survey=_many(values, "answered_survey"), answered_choice=_many(values, "answered_choice"),
                   reviewed_product=_many(values, "reviewed_product"),
                   supported_an_idea="1" if values.get("supported_an_idea") else "",
                   asked_or_answered="1" if values.get("asked_or_answered") else "",
                   rank_at_least=(values.get("rank_at_least") or "").strip()[:3],
                   points_at_least=(values.get("points_at_least") or "").strip()[:10])

    @classmethod
    def of(cls, segment: Segment) -> SegmentForm:
        return cls(
            cohort=list(segment.cohorts), tag=list(segment.tags), exclude_tag=list(segment.exclude_tags),
            joined_from=segment.joined_from.isoformat() if segment.joined_from else "",
            joined_to=segment.joined_to.isoformat() if segment.joined_to else "",
            active_within=str(segment.active_within_days or ""), inactive_for=str(segment.inactive_for_days or ""),
            answered_survey=[str(i) for i in segment.answered_surveys],
            answered_choice=[str(i) for i in segment.answered_choices],
            reviewed_product=[str(i) for i in segment.reviewed_products],
            supported_an_idea="1" if segment.supported_an_idea else "",
            asked_or_answered="1" if segment.asked_or_answered else "",
            rank_at_least=str(segment.rank_at_least or ""), points_at_least=str(segment.points_at_least or ""),
        )

    def segment(self) -> Segment:
        try:
            return Segment(
                cohorts=tuple(self.cohort), tags=tuple(self.tag), exclude_tags=tuple(self.exclude_tag),
                joined_from=parse_jst_date(self.joined_from) if self.joined_from.strip() else None,
                joined_to=parse_jst_date(self.joined_to) if self.joined_to.strip() else None,
                active_within_days=_days(self.active_within, "最終アクティブ（以内）"),
                inactive_for_days=_days(self.inactive_for, "最終アクティブ（以上なし）"),
                answered_surveys=_ids(self.answered_survey, "回答したアンケート"),
                answered_choices=_ids(self.answered_choice, "アンケートの回答"),
                reviewed_products=_ids(self.reviewed_product, "レビューを投稿した商品"),
                supported_an_idea=bool(self.supported_an_idea), asked_or_answered=bool(self.asked_or_answered),
                rank_at_least=_number(self.rank_at_least, "ランク", 0, 100) or None,
                points_at_least=_number(self.points_at_least, "ポイント残高", 0, POINTS_MAX) or None,
            )
        except ScheduleError as exc:
            raise FormError(str(exc)) from None


@dataclass
class PostForm:
    """The compose form as typed."""

    title: str = ""
    text: str = ""
    image_url: str = ""
    choice_kind: str = ""
    choices: str = ""  # one label per line
    answers_from: str = ""
    answers_until: str = ""
    answer_mode: str = AnswerMode.MULTIPLE
    cohort: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    exclude_tag: list[str] = field(default_factory=list)
    joined_from: str = ""
    joined_to: str = ""
    active_within: str = ""
    inactive_for: str = ""
    voices: list[int] = field(default_factory=list)
    answered_survey: list[str] = field(default_factory=list)
    answered_choice: list[str] = field(default_factory=list)
    reviewed_product: list[str] = field(default_factory=list)
    supported_an_idea: str = ""
    asked_or_answered: str = ""
    rank_at_least: str = ""
    points_at_least: str = ""

    @classmethod
    def read(cls, values: Any) -> PostForm:
        """From request.form (or request.args for the live count)."""

        def one(name: str, limit: int = 200) -> str:
            return (values.get(name) or "")[:limit]

        def many(name: str) -> list[str]:
            return [v.strip()[:100] for v in values.getlist(name) if v.strip()][:200]

        return cls(
            title=one("title", 100), text=one("text", 6000).replace("\r\n", "\n"),
            image_url=one("image_url", 2000).strip(),
            choice_kind=one("choice_kind", 16), choices=one("choices", 2000).replace("\r\n", "\n"),
            answers_from=one("answers_from", 20), answers_until=one("answers_until", 20),
            answer_mode=one("answer_mode", 16) or AnswerMode.MULTIPLE,
            voices=[n for n in (forms.int_arg(v) for v in values.getlist("voice")) if n is not None][:50],
            **asdict(SegmentForm.read(values)),
        )

    @classmethod
    def of(cls, post: ThemePost) -> PostForm:
        """The form filled with a saved post (to edit it)."""
        segment = Segment.from_json(post.segment)
        return cls(
            title=post.title, text=post.text, image_url=post.image_url or "", choice_kind=post.choice_kind or "",
            choices="\n".join(c.label for c in choices_from_json(post.choices)),
            answers_from=format_jst(post.answers_open_at, "%Y-%m-%dT%H:%M"),
            answers_until=format_jst(post.answers_close_at, "%Y-%m-%dT%H:%M"),
            answer_mode=post.answer_mode,
            **asdict(SegmentForm.of(segment)),
        )

    def segment(self) -> Segment:
        return SegmentForm(**{f.name: getattr(self, f.name) for f in fields(SegmentForm)}).segment()

    def choice_list(self) -> list[Choice]:
        labels = [line.strip() for line in self.choices.split("\n") if line.strip()]
        if len(labels) > MAX_QUICK_REPLY_ITEMS:
            raise FormError(f"ボタンは{MAX_QUICK_REPLY_ITEMS}個までです（LINEのクイックリプライの上限）。")
        return [Choice(str(i + 1), label) for i, label in enumerate(labels)]

    def draft(self, appended: str = "") -> PostDraft:
        """The themes service's draft; `appended` (「みなさんの声」) goes after the text."""
        kind = self.choice_kind if self.choice_kind in CHOICE_KINDS else None
        choices = self.choice_list() if kind else []
        if kind and not choices:
            raise FormError("リアクションや投票のボタンを1行に1つずつ入力してください。")
        return PostDraft(
            title=self.title, text=self.text.strip() + appended, image_url=self.image_url or None,
            choice_kind=kind, choices=tuple(choices),
            answers_open_at=_jst_datetime(self.answers_from, "回答受付の開始"),
            answers_close_at=_jst_datetime(self.answers_until, "回答受付の終了"),
            segment=self.segment(), answer_mode=self.answer_mode,
        )

    @property
    def has_answer_window(self) -> bool:
        return bool(self.answers_from.strip() or self.answers_until.strip())


@dataclass
class ScheduleForm:
    kind: str = "now"
    at: str = ""
    weekday: str = "0"
    day_of_month: str = "1"
    time_of_day: str = "10:00"
    allow_partial: bool = False

    @classmethod
    def read(cls, values: Any) -> ScheduleForm:
        return cls(kind=(values.get("kind") or "")[:10], at=(values.get("at") or "")[:20],
                   weekday=(values.get("weekday") or "")[:2], day_of_month=(values.get("day_of_month") or "")[:2],
                   time_of_day=(values.get("time_of_day") or "")[:5], allow_partial=bool(values.get("allow_partial")))

    def plan(self) -> SendPlan:
        if self.kind not in SCHEDULE_KINDS:
            raise FormError("配信のタイミングを選んでください。")
        if self.kind == "now":
            return SendPlan("now", allow_partial=self.allow_partial)
        if self.kind == "once":
            at = _jst_datetime(self.at, "配信")
            if at is None:
                raise FormError("配信する日時を入力してください。")
            return SendPlan("once", at=at, allow_partial=self.allow_partial)
        try:
            parse_time_of_day(self.time_of_day)
        except ScheduleError as exc:
            raise FormError(str(exc)) from None
        if self.kind == "weekly":
            weekday = forms.int_arg(self.weekday, 0, 6)
            if weekday is None:
                raise FormError("毎週配信する曜日を選んでください。")
            return SendPlan("weekly", weekday=weekday, time_of_day=self.time_of_day, allow_partial=self.allow_partial)
        day = forms.int_arg(self.day_of_month, 1, 31)
        if day is None:
            raise FormError("毎月配信する日は1〜31日で指定してください（31日は月末として扱います）。")
        return SendPlan("monthly", day_of_month=day, time_of_day=self.time_of_day, allow_partial=self.allow_partial)
