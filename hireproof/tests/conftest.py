"""Fixtures of the whole-product checks: isolated audit keys, and the demo at every stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hireproof.hiring.actions.playbooks import load_builtin_playbooks
from hireproof.hiring.demo.loader import DemoReport, load_demo


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture
def demo(db: Any, mailoutbox: Any) -> DemoReport:
    """The built-in playbooks and the demo: staff of every role, candidates at every stage."""
    load_builtin_playbooks()
    return load_demo()
