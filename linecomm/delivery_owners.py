"""Every feature whose messages the push engine delivers, named in one place (as the blueprints are in
web.py). Each is a `DeliveryOwner` (linecomm.pushes.owners) for its delivery kind; every process installs
them when it builds its runtime. The order is the scheduler's: theme posts open before step runs."""
from __future__ import annotations

from linecomm.pushes.owners import DeliveryOwner, register


def owners() -> list[DeliveryOwner]:
    from linecomm.ideas.deliveries import IDEA_ANSWERS
    from linecomm.pushes.steps import STEP_RUNS
    from linecomm.surveys.deliveries import SURVEY_ANNOUNCEMENTS
    from linecomm.themes.deliveries import TEST_SENDS, THEME_POSTS

    return [THEME_POSTS, TEST_SENDS, STEP_RUNS, SURVEY_ANNOUNCEMENTS, IDEA_ANSWERS]


def install() -> None:
    """Register every owner (again installing changes nothing)."""
    for owner in owners():
        register(owner)
