"""KPI tests: staff from the console's fixtures, members from the LIFF layer's."""
from __future__ import annotations

import pytest

from tests.admin.console import Console
from tests.support.community import Community
from tests.support.liff import liff_browser, liff_client, liff_member  # noqa: F401  (fixtures)


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)
