"""Placeholder: filled in by the feature that owns these commands."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add this module's sub-commands."""
