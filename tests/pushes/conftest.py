"""Push tests: members made by a factory (and registered as friends of the fake LINE channel), posts
scheduled through the service, jobs run by the backend's queue (embedded threads, or an RQ worker)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from linecomm.config import Settings
from tests.pushes.desk import Desk
from tests.support.community import Community


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Small batches, short leases and backoffs: a few dozen recipients exercise every path quickly."""
    return settings.replace(push_batch_size=5, push_lease_seconds=3.0, push_stall_seconds=3.0, push_threads=3,
                            push_slice_seconds=5.0, line_timeout_seconds=2.0)


@pytest.fixture
def desk(community: Community) -> Iterator[Desk]:
    d = Desk(community)
    d.no_quiet_hours()
    yield d
