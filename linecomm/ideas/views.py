"""Members' idea pages (LIFF): the list (stage / category / sort, keyset pages), one idea (support or
withdraw, comments, the official answer), posting and editing one's own idea, and my page's
「わたしのアイデア」. Ids in URLs are idea ids only; who acts is always the signed-in member
(linecomm.liff.access). Parsing here, rules in linecomm.ideas.service; an action commits once."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from linecomm.db import utcnow
from linecomm.ideas import copy, listing, service, stages
from linecomm.ideas.models import Idea, IdeaStage
from linecomm.ideas.service import Draft, SupportOutcome
from linecomm.liff.access import SignedInMember, commit, current, db, member_action, member_page, refusal
from linecomm.liff.sections import register_my_page_section
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentState
from linecomm.uploads import copy as upload_copy
from linecomm.uploads import service as uploads
from linecomm.uploads.images import PhotoRefused
from linecomm.uploads.serving import limit_body, photo_response, read_photo_field
from linecomm.web_runtime import get_runtime

bp = Blueprint("liff_ideas", __name__, url_prefix="/liff/ideas")

NOTICES = {"posted": copy.SUBMITTED, "held": copy.HELD, "supported": copy.SUPPORTED, "withdrawn": copy.WITHDRAWN,
           "own": copy.OWN_IDEA, "closed": copy.NOT_SUPPORTABLE, "comment_held": copy.COMMENT_HELD,
           "edited": copy.EDITED, "reported": "通報を受け付けました。運営が確認します。"}
MY_IDEAS_SHOWN = 10


def _max_photo_bytes() -> int:
    return get_runtime().settings.upload_max_bytes


@bp.before_app_request
def _limit_upload_size() -> None:
    """Cap the body of the idea form before anything reads it: a larger one is refused with 413 unread."""
    if request.blueprint == bp.name and request.method == "POST":
        limit_body(request, _max_photo_bytes())


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Any:
    message = upload_copy.too_large(_max_photo_bytes())
    person = current()
    if request.endpoint == "liff_ideas.create" and isinstance(person, SignedInMember):
        return _form(person, errors={"photo": message}, status=413)
    return refusal(413, message)


def _arg(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


@bp.get("", strict_slashes=False)
@member_page
def index(member: SignedInMember) -> Any:
    sort = _arg("sort", listing.SORTS) or "new"
    stage, category = _arg("stage", IdeaStage.ALL), _arg("category", copy.CATEGORIES)
    try:
        after = listing.parse_after(sort, request.args.get("after"))
    except listing.BadCursor:
        abort(400, copy.BAD_CURSOR)
    now = utcnow()
    page = listing.list_ideas(db(), sort=sort, stage=stage, category=category, after=after, now=now)
    return render_template("liff/ideas.html", page=page, sort=sort, stage=stage, category=category, copy=copy,
                           days_left={r.idea.id: service.days_left(r.idea, now) for r in page.rows},
                           percent=service.progress_percent, can_post=member.can_post)


def _form(member: SignedInMember, draft: Draft | None = None, idea: Idea | None = None, message: str | None = None,
          status: int = 200, errors: dict[str, str] | None = None) -> Any:
    draft = draft or Draft()
    return render_template("liff/ideas_form.html", draft=draft, idea=idea, copy=copy, message=message,
                           errors=draft.errors | (errors or {}), can_post=member.can_post,
                           max_mb=max(1, _max_photo_bytes() // (1024 * 1024))), status


@bp.get("/new")
@member_page
def new(member: SignedInMember) -> Any:
    return _form(member)


@bp.post("/new")
@member_action
def create(member: SignedInMember) -> Any:
    draft = Draft.read(request.form.get("title", ""), request.form.get("description", ""),
                       request.form.get("category", ""))
    try:
        data = read_photo_field(request, "photo", _max_photo_bytes())
        photo = None if data is None else uploads.store(db(), data, purpose="idea", owner_member_id=member.member_id,
                                                        max_bytes=_max_photo_bytes())
    except PhotoRefused as refused:
        db().rollback()
        return _form(member, draft, errors={"photo": refused.message}, status=refused.status)
    if draft.errors:
        db().rollback()
        return _form(member, draft, status=422)
    idea = service.submit(db(), member.member_id, draft, utcnow(), photo.id if photo else None)
    state = service.content_state(db(), idea)
    if state == ContentState.BLOCKED:
        db().rollback()
        return _form(member, draft, message=copy.BLOCKED, status=422)
    commit()
    notice = "posted" if state == ContentState.PUBLISHED else "held"
    return redirect(url_for("liff_ideas.idea_page", idea_id=idea.id, notice=notice), 303)


def _own_or_visible(session: Session, idea_id: int, member_id: int) -> Idea | None:
    """The idea if members may see it, or (held for review, not blocked or hidden) to its own author."""
    idea = service.visible_idea(session, idea_id)
    if idea is None:
        own = session.get(Idea, idea_id)
        if own is not None and own.member_id == member_id and service.content_state(session, own) == ContentState.HELD:
            return own
    return idea


def _page(member: SignedInMember, idea_id: int, *, comment: str = "", comment_error: str | None = None,
          status: int = 200) -> Any:
    session = db()
    idea = _own_or_visible(session, idea_id, member.member_id)
    if idea is None:
        abort(404, copy.NOT_FOUND)
    now = utcnow()
    notice = NOTICES.get(request.args.get("notice") or "")
    answer = stages.latest_answer(session, idea.id)
    return render_template(
        "liff/ideas_page.html", idea=idea, copy=copy, notice=notice,
        nickname=service.nickname_of(session, idea.member_id),
        held=service.content_state(session, idea) == ContentState.HELD, mine=idea.member_id == member.member_id,
        supporting=service.supports(session, idea.id, member.member_id), days_left=service.days_left(idea, now),
        percent=service.progress_percent(idea), comments=service.comments_of(session, idea.id, member.member_id),
        answer=answer, can_post=member.can_post, can_edit=member.can_post and service.can_edit(idea, member.member_id),
        supportable=idea.stage in IdeaStage.SUPPORTABLE, comment=comment, comment_error=comment_error,
    ), status


@bp.get("/<int:idea_id>")
@member_page
def idea_page(idea_id: int, member: SignedInMember) -> Any:
    return _page(member, idea_id)


@bp.get("/<int:idea_id>/photo")
@member_page
def idea_photo(idea_id: int, member: SignedInMember) -> Any:
    """The idea's photo, to whoever may see the idea (no one once it is hidden)."""
    idea = _own_or_visible(db(), idea_id, member.member_id)
    if idea is None or idea.photo_id is None:
        abort(404, copy.NOT_FOUND)
    return photo_response(db(), request, idea.photo_id)


@bp.post("/<int:idea_id>/support")
@member_action
def support(idea_id: int, member: SignedInMember) -> Any:
    action = request.form.get("action", "support")
    now = utcnow()
    if action == "withdraw":
        result = service.withdraw_support(db(), idea_id, member.member_id, now)
    else:
        result = service.support(db(), idea_id, member.member_id, now, get_runtime().settings.liff_id or "")
    if result.outcome in (SupportOutcome.NOT_FOUND, SupportOutcome.NOT_MEMBER):
        db().rollback()
        abort(404, copy.NOT_FOUND)
    notice = {SupportOutcome.SUPPORTED: "supported", SupportOutcome.ALREADY: "supported",
              SupportOutcome.WITHDRAWN: "withdrawn", SupportOutcome.NOT_SUPPORTING: "withdrawn",
              SupportOutcome.OWN: "own", SupportOutcome.CLOSED: "closed"}[result.outcome]
    commit()
    return redirect(url_for("liff_ideas.idea_page", idea_id=idea_id, notice=notice) + "#support", 303)


@bp.post("/<int:idea_id>/comments")
@member_action
def comment(idea_id: int, member: SignedInMember) -> Any:
    body = (request.form.get("body") or "")[:copy.COMMENT_MAX * 4]
    idea = service.visible_idea(db(), idea_id)
    if idea is None:
        abort(404, copy.NOT_FOUND)
    error = service.comment_error(body)
    if error:
        return _page(member, idea_id, comment=body, comment_error=error, status=422)
    item = service.add_comment(db(), idea, member.member_id, body, utcnow())
    if item.state == ContentState.BLOCKED:
        db().rollback()
        return _page(member, idea_id, comment=body, comment_error=copy.COMMENT_BLOCKED, status=422)
    commit()
    notice = {"notice": "comment_held"} if item.state == ContentState.HELD else {}
    return redirect(url_for("liff_ideas.idea_page", idea_id=idea_id, **notice) + "#comments", 303)


@bp.post("/<int:idea_id>/report/<int:content_id>")
@member_action
def report(idea_id: int, content_id: int, member: SignedInMember) -> Any:
    """Report the idea's text or one of its comments (moderation's report: hidden once enough members do)."""
    idea = service.visible_idea(db(), idea_id)
    if idea is None or not service.belongs_to(db(), idea, content_id):
        abort(404, copy.NOT_FOUND)
    moderation.report(db(), content_id, member.member_id, (request.form.get("reason") or "")[:200] or None)
    commit()
    return redirect(url_for("liff_ideas.idea_page", idea_id=idea_id, notice="reported"), 303)


@bp.get("/<int:idea_id>/edit")
@member_page
def edit_form(idea_id: int, member: SignedInMember) -> Any:
    idea = _own_or_visible(db(), idea_id, member.member_id)
    if idea is None or idea.member_id != member.member_id:
        abort(404, copy.NOT_FOUND)
    if not service.can_edit(idea, member.member_id):
        return _form(member, Draft(idea.title, idea.description, idea.category), idea, copy.NOT_EDITABLE, 409)
    return _form(member, Draft(idea.title, idea.description, idea.category), idea)


@bp.post("/<int:idea_id>/edit")
@member_action
def edit(idea_id: int, member: SignedInMember) -> Any:
    idea = _own_or_visible(db(), idea_id, member.member_id)
    if idea is None or idea.member_id != member.member_id:
        abort(404, copy.NOT_FOUND)
    draft = Draft.read(request.form.get("title", ""), request.form.get("description", ""),
                       request.form.get("category", ""))
    if draft.errors:
        return _form(member, draft, idea, status=422)
    if not service.edit(db(), idea, member.member_id, draft, utcnow()):
        db().rollback()
        return _form(member, draft, idea, copy.NOT_EDITABLE, 409)
    state = service.content_state(db(), idea)
    if state == ContentState.BLOCKED:
        db().rollback()
        return _form(member, draft, idea, copy.BLOCKED, 422)
    commit()
    return redirect(url_for("liff_ideas.idea_page", idea_id=idea_id,
                            notice="edited" if state == ContentState.PUBLISHED else "held"), 303)


def my_ideas(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    """My page's 「わたしのアイデア」: my ideas with their stages (確認中 while held)."""
    return {"rows": service.my_ideas(session, member.member_id, MY_IDEAS_SHOWN), "labels": copy.STAGE_LABELS,
            "published": ContentState.PUBLISHED, "held": ContentState.HELD, "can_post": member.can_post}


register_my_page_section("ideas", 30, "liff/ideas_my_ideas.html", my_ideas)
