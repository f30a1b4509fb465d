"""Announcing a survey with a push: the marketer's text, then a button that opens the survey's LIFF page
(https://liff.line.me/{LIFF ID}/surveys/<id>), to the survey's target segment, now or at a Japan time.

The messages are frozen on the announcement when it is made; the push scheduler opens its delivery when
its time (after the quiet hours) has come, through `linecomm.surveys.deliveries`, and the push engine
sends it like a theme post: weekly cap, monthly quota, retries. Functions only flush; the entry point
commits and then wakes the scheduler at `Announced.starts_at`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.db import dialect_name, utcnow
from linecomm.line.client import Quota
from linecomm.line.limits import MAX_TEXT_UNITS, MessageTooLarge, check_messages, truncate_utf16, utf16_units
from linecomm.pushes import copy as push_copy
from linecomm.pushes import policy as policies
from linecomm.pushes.errors import PushError, QuotaRefused
from linecomm.pushes.models import Delivery, DeliveryStatus, QuotaPolicy
from linecomm.pushes.occurrences import open_delivery
from linecomm.pushes.schedule import QuietHours
from linecomm.pushes.segments import Segment
from linecomm.pushes.service import CostCheck, cost_check
from linecomm.surveys import copy_admin as copy
from linecomm.surveys.builder import get_survey, status_of
from linecomm.surveys.models import Survey, SurveyAnnouncement

KIND = "survey"  # Delivery.kind of survey announcements (at most 8 characters)
BUTTON_TEXT_MAX = 160  # a buttons template's text without image or title (LINE's limit)
ALT_TEXT_MAX = 400


class AnnouncementError(PushError):
    """An announcement that cannot be made; the message is Japanese, for the marketer."""


@dataclass(frozen=True)
class Announced:
    announcement: SurveyAnnouncement
    starts_at: datetime  # after the quiet hours
    cost: CostCheck
    notes: list[str]


def liff_url(liff_id: str, survey_id: int) -> str:
    """The survey's LIFF deep link: LINE opens the LIFF app and forwards to /liff/surveys/<id>."""
    return f"https://liff.line.me/{liff_id}/surveys/{survey_id}"


def build_messages(survey: Survey, text: str, url: str) -> list[dict[str, Any]]:
    """The marketer's text, then a buttons template with the survey's title and a 「回答する」 button."""
    label = truncate_utf16(f"アンケート「{survey.title}」", BUTTON_TEXT_MAX)
    messages: list[dict[str, Any]] = [
        {"type": "text", "text": text},
        {"type": "template", "altText": truncate_utf16(f"{label} {copy.BUTTON_LABEL}: {url}", ALT_TEXT_MAX),
         "template": {"type": "buttons", "text": label,
                      "actions": [{"type": "uri", "label": copy.BUTTON_LABEL, "uri": url}]}},
    ]
    try:
        check_messages(messages)
    except MessageTooLarge as exc:
        raise AnnouncementError(f"LINEの制限を超えるメッセージです: {exc}") from exc
    return messages


def announce(session: Session, survey_id: int, text: str, at: datetime | None, *, liff_id: str, quota: Quota,
             created_by: str | None = None, now: datetime | None = None) -> Announced:
    """Schedule an announcement of an open (or published, not yet open) survey for `at` (None: now).
    Refused over the month's remaining quota (QuotaRefused), like a theme post."""
    now = now or utcnow()
    text = text.strip()
    if not text or len(text) > 1000 or utf16_units(text) > MAX_TEXT_UNITS:
        raise AnnouncementError(copy.ANNOUNCE_MESSAGE)
    if not liff_id:
        raise AnnouncementError(copy.ANNOUNCE_NO_LIFF)
    survey = get_survey(session, survey_id)
    if status_of(survey, now) not in ("open", "scheduled"):
        raise AnnouncementError(copy.ANNOUNCE_NOT_OPEN)
    requested = now if at is None else at
    if requested < now - timedelta(minutes=1):
        raise AnnouncementError(copy.ANNOUNCE_PAST)
    policy = policies.current(session)
    quiet = policies.quiet_hours(policy)
    starts = quiet.release(max(requested, now))
    if survey.closes_at is not None and starts >= survey.closes_at:
        raise AnnouncementError(copy.ANNOUNCE_AFTER_CLOSE)
    cost = cost_check(session, Segment.from_json(survey.segment), quota, policy.weekly_cap, now, starts)
    if not cost.fits:
        assert cost.quota_remaining is not None
        raise QuotaRefused(push_copy.over_quota(cost.audience.billable, cost.quota_remaining))
    notes = []
    if starts != max(requested, now):
        notes.append(push_copy.quiet_hours_moved(requested, starts, quiet.label()))
    if cost.audience.over_cap:
        notes.append(push_copy.over_cap(cost.audience.over_cap, policy.weekly_cap))
    if cost.audience.billable == 0:
        notes.append(push_copy.no_recipients())
    messages = build_messages(survey, text, liff_url(liff_id, survey.id))
    announcement = SurveyAnnouncement(
        survey_id=survey.id, message=text, messages=json.dumps(messages, ensure_ascii=False),
        scheduled_at=max(requested, now), status="scheduled", created_by=created_by, created_at=now,
    )
    session.add(announcement)
    session.flush()
    return Announced(announcement, starts, cost, notes)


def cancel(session: Session, announcement_id: int) -> SurveyAnnouncement:
    """Cancel an announcement whose delivery has not opened yet."""
    announcement = session.get(SurveyAnnouncement, announcement_id)
    if announcement is None or announcement.delivery_id is not None or announcement.status != "scheduled":
        raise AnnouncementError(copy.CANNOT_CANCEL)
    announcement.status = DeliveryStatus.CANCELLED
    return announcement


def of_survey(session: Session, survey_id: int) -> list[SurveyAnnouncement]:
    return list(session.scalars(select(SurveyAnnouncement).where(SurveyAnnouncement.survey_id == survey_id)
                                .order_by(SurveyAnnouncement.id.desc()).limit(50)))


# ---- what the push scheduler asks (linecomm.surveys.deliveries) ----------------------------------------
def open_due(session: Session, now: datetime, quiet: QuietHours, weekly_cap: int, batch_size: int) -> list[int]:
    """Open the delivery of each announcement whose time (after quiet hours) has come; their ids. An
    announcement of a survey that has closed meanwhile is cancelled instead."""
    stmt = (
        select(SurveyAnnouncement)
        .where(SurveyAnnouncement.status == "scheduled", SurveyAnnouncement.delivery_id.is_(None),
               SurveyAnnouncement.scheduled_at <= now)
        .order_by(SurveyAnnouncement.scheduled_at)
        .limit(100)
    )
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    opened = []
    for announcement in session.scalars(stmt).all():
        assert announcement.scheduled_at is not None
        starts = quiet.release(announcement.scheduled_at)
        if starts > now:
            continue
        survey = session.get(Survey, announcement.survey_id)
        if survey is None or status_of(survey, now) == "closed":
            announcement.status = DeliveryStatus.CANCELLED
            continue
        delivery = open_delivery(session, Delivery(
            kind=KIND, occurrence_key=f"{KIND}:{announcement.id}", status=DeliveryStatus.STARTING,
            messages=announcement.messages, segment=survey.segment, quota_policy=QuotaPolicy.REFUSE,
            weekly_cap=weekly_cap, batch_size=batch_size, scheduled_for=announcement.scheduled_at,
            not_before=starts, requested_by=announcement.created_by, created_at=now,
        ))
        if delivery is not None:
            announcement.delivery_id, announcement.status = delivery.id, DeliveryStatus.STARTING
            opened.append(delivery.id)
    return opened


def next_due(session: Session, quiet: QuietHours) -> datetime | None:
    """When the next scheduled announcement becomes due (the earliest, released from quiet hours)."""
    first = session.scalar(select(func.min(SurveyAnnouncement.scheduled_at)).where(
        SurveyAnnouncement.status == "scheduled", SurveyAnnouncement.delivery_id.is_(None)))
    return quiet.release(first) if first is not None else None
