"""The survey routes in the role matrix (tests/admin/test_role_matrix.py): the rows they act on, and one
case per route. Marketers and owners may use them all; moderators may read the list and the results."""
from __future__ import annotations

from typing import Any

from linecomm.surveys.models import SurveyAnnouncement
from tests.admin.console import Console
from tests.surveys.factories import make_survey

MARKETING = {"owner", "marketer"}
ALL = {"owner", "marketer", "moderator"}
WORLD_KEYS = ("survey_draft", "survey_open", "survey_announcement")


def world(console: Console) -> dict[str, Any]:
    """A draft survey, an open one, and an announcement of it scheduled far ahead."""
    with console.community.session() as s:
        draft = make_survey(s, title="下書きのアンケート", published=False,
                            questions=[{"kind": "single", "prompt": "好きな色", "choices": ["赤", "青"]}])
        open_ = make_survey(s, title="受付中のアンケート", closes_at=None,
                            questions=[{"kind": "text", "prompt": "ご意見"}])
        announcement = SurveyAnnouncement(survey_id=open_.id, message="お願いします", messages="[]",
                                          status="scheduled", scheduled_at=open_.survey.created_at.replace(year=2031))
        s.add(announcement)
        s.flush()
        return {"survey_draft": draft.id, "survey_open": open_.id, "survey_announcement": announcement.id}


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    draft, open_ = w["survey_draft"], w["survey_open"]
    form = {"title": "改題", "action": "save", "q1_kind": "single", "q1_prompt": "好きな色", "q1_required": "1",
            "q1_c1_label": "赤", "q1_c2_label": "青"}
    return [
        case("GET", "admin.surveys", "/admin/surveys", ALL),
        case("GET", "admin.survey_detail", f"/admin/surveys/{open_}", ALL),
        case("GET", "admin.survey_new", "/admin/surveys/new", MARKETING),
        case("POST", "admin.survey_new", "/admin/surveys/new", MARKETING, form),
        case("GET", "admin.survey_edit", f"/admin/surveys/{draft}/edit", MARKETING),
        case("POST", "admin.survey_edit", f"/admin/surveys/{draft}/edit", MARKETING, form),
        case("POST", "admin.survey_publish", f"/admin/surveys/{draft}/publish", MARKETING),
        case("GET", "admin.survey_responses_csv", f"/admin/surveys/{open_}/responses.csv", MARKETING),
        case("POST", "admin.survey_announce", f"/admin/surveys/{open_}/announce", MARKETING,
             {"kind": "once", "at": "2031-01-05T10:00", "message": "ご協力ください"}),
        case("POST", "admin.survey_announcement_cancel",
             f"/admin/surveys/announcements/{w['survey_announcement']}/cancel", MARKETING),
        case("POST", "admin.survey_close", f"/admin/surveys/{open_}/close", MARKETING),
    ]
