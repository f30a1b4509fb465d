"""Where the top-level templates/ and migrations/ folders are, installed or in a checkout.

A wheel ships them inside the package (linecomm/templates, linecomm/migrations); a source checkout or an
editable install keeps them beside the package."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"linecomm cannot find its {name}/ folder next to {_PACKAGE}")


def templates_dir() -> Path:
    return _find("templates")


def migrations_dir() -> Path:
    return _find("migrations")


def static_dir() -> Path:
    return _PACKAGE / "static"
