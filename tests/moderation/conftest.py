from __future__ import annotations

import pytest

from tests.admin.console import Console
from tests.support.community import Community

# Moderation in chat is tested on theme answers: the themes tests' members, posts and push tuning.
from tests.themes.conftest import settings, talk  # noqa: F401


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)
