"""The features that talk with members in chat, in the order they register (like the blueprints in
linecomm.web). Each module registers its handlers with linecomm.chat.router when it is imported; the router
imports them once, before it routes the first event. Named here by module path, not imported, so that the
router stays below the features that use it (no import circle)."""
from __future__ import annotations

FEATURE_CHATS: tuple[str, ...] = (
    "linecomm.members.chat",
    "linecomm.themes.chat",
    "linecomm.moderation.chat",
    "linecomm.surveys.chat",
    "linecomm.ideas.chat",
    "linecomm.qa.chat",
    "linecomm.points.chat",
    "linecomm.staff.chat",
    "linecomm.points.leaderboard_chat",
)
