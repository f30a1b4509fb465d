"""The one error family of pushes: something the rules refuse, explained in Japanese for the marketer."""
from __future__ import annotations


class PushError(ValueError):
    """A request the push rules refuse; `str(error)` is the Japanese explanation to show."""


class QuotaRefused(PushError):
    """More billable recipients than the monthly quota leaves, and no permission to send to fewer."""
