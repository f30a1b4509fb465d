"""Answer → tag: a choice with a `tag_name` puts that tag on the member who picks it (so later pushes can
target 「〇〇に興味がある」 members), through the members feature's tag service.

On an edit, a tag whose choice is no longer picked is taken off again, but only when this response put it
on (recorded in `survey_responses.tags_added`) and no other survey answer of the member still picks a choice
with that tag: a member who changes 「興味がある」 to 「興味がない」 expects not to be treated as interested any
more, while a tag they had before (from staff, or another survey) is never removed by a survey.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.members import tags
from linecomm.members.models import Member, Tag
from linecomm.surveys.models import SurveyAnswer, SurveyChoice, SurveyResponse

log = logging.getLogger(__name__)


def _names(raw_names: Iterable[str | None]) -> set[str]:
    names: set[str] = set()
    for raw in raw_names:
        if not raw:
            continue
        try:
            names.add(tags.clean_name(raw))
        except tags.TagError:  # a builder's slip must not cost the member their response
            log.warning("a survey choice has an unusable tag name %r", raw)
    return names


def _tag(session: Session, known: dict[str, Tag], name: str, survey_id: int) -> Tag | None:
    if name in known:
        return known[name]
    try:
        tag = tags.create(session, name, created_by=f"survey:{survey_id}")
    except tags.TagError:  # created meanwhile by someone else: read it again
        known.update({t.name: t for t in tags.all_tags(session)})
        return known.get(name)
    known[name] = tag
    return tag


def _picked_elsewhere(session: Session, member_id: int, survey_id: int, names: set[str]) -> set[str]:
    """Among `names`, the tags a choice the member picked in another survey's response carries."""
    if not names:
        return set()
    rows = session.scalars(
        select(SurveyChoice.tag_name)
        .join(SurveyAnswer, SurveyAnswer.choice_id == SurveyChoice.id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.member_id == member_id, SurveyResponse.survey_id != survey_id,
               SurveyChoice.tag_name.is_not(None))
    )
    return names & _names(rows)


def apply(session: Session, member: Member, response: SurveyResponse, picked: Iterable[SurveyChoice],
          now: datetime) -> tuple[set[str], set[str]]:
    """Put the picked choices' tags on the member; take off those this response added that are no longer
    picked. Returns (tags added now, tags removed now)."""
    wanted = _names(c.tag_name for c in picked)
    ours = set(json.loads(response.tags_added or "[]"))
    dropped = ours - wanted
    if not wanted and not dropped:
        return set(), set()
    known = {t.name: t for t in tags.all_tags(session)}
    added: set[str] = set()
    for name in sorted(wanted):
        tag = _tag(session, known, name, response.survey_id)
        if tag is not None and tags.assign(session, member, tag, now):
            added.add(name)
    removed: set[str] = set()
    for name in sorted(dropped - _picked_elsewhere(session, member.id, response.survey_id, dropped)):
        tag = known.get(name)
        if tag is not None and tags.remove(session, member, tag):
            removed.add(name)
    still_ours = (ours & wanted) | added
    response.tags_added = json.dumps(sorted(still_ours), ensure_ascii=False) if still_ours else None
    return added, removed
