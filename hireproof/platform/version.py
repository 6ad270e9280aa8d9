"""The installed version of hireproof, shown in the page footer."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version


@cache
def hireproof_version() -> str:
    """The package version, or ``"development"`` when run from an uninstalled checkout."""
    try:
        return version("hireproof")
    except PackageNotFoundError:
        return "development"
