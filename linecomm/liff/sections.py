"""My page's blocks from other features (surveys: "my survey answers"; points: points, rank, badges).

A feature registers a section once, at import (e.g. from its views module, which the app imports):

    from linecomm.liff.sections import register_my_page_section

    register_my_page_section("surveys", 20, "surveys/_my_answers.html", my_answers_context)

`context_fn(session, member)` gets the request's read-only session and the SignedInMember and returns the
template's context (a dict), or None to leave the section out for this member. Sections render in `order`,
after the member's own details; a section's template is included with its context under `section`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from linecomm.liff.access import SignedInMember

SectionContext = Callable[[Session, "SignedInMember"], dict[str, Any] | None]


@dataclass(frozen=True)
class MyPageSection:
    key: str
    order: int
    template: str
    context_fn: SectionContext


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


_SECTIONS: dict[str, MyPageSection] = {}


def register_my_page_section(key: str, order: int, template: str, context_fn: SectionContext) -> None:
    """Add a block to my page. Registering the same key again replaces it (a module imported twice in tests)."""
    _SECTIONS[key] = MyPageSection(key, order, template, context_fn)


def unregister_my_page_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections_for(session: Session, member: SignedInMember) -> list[RenderedSection]:
    """The sections to show this member, in order, with their contexts."""
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context_fn(session, member)
        if context is not None:
            shown.append(RenderedSection(section.key, section.template, context))
    return shown
