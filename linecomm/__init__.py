"""linecomm: the backend of a closed customer community on a LINE Official Account."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from linecomm.config import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app from explicit settings (or the environment). No side effects at import."""
    from linecomm.web import build_app

    return build_app(settings)
