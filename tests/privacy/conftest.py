from __future__ import annotations

import pytest

from tests.admin.console import Console
from tests.support.community import Community


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)
