"""A faithful fake of the LINE platform (Messaging API and LINE Login), served on loopback.

These machines cannot reach LINE; tests and demos point the LINE SDK at this fake instead. It answers
with LINE's status codes, headers and error bodies, enforces LINE's message limits, reply-token rules,
retry keys, rate limit and monthly quota, and records every request so tests can check it against
LINE's OpenAPI description.
"""

from __future__ import annotations

from linecomm.line.fake.platform import FakeLinePlatform, serve
from linecomm.line.fake.records import RecordedRequest

__all__ = ["FakeLinePlatform", "RecordedRequest", "serve"]
