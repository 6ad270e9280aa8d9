"""Fixtures of the playbook library's tests: isolated audit keys, the seed playbook's YAML."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from hireproof.audit.models import LogLeaf
from hireproof.audit.tests.factories import without_event_time
from hireproof.core.audit import EventType, parse_leaf

SEED_ID = "data-scientist-mid"
SEED_VERSION_LINE = 'version: "1.0.0"'


@pytest.fixture(autouse=True)
def _audit_keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


def seed_yaml() -> str:
    """The bundled seed playbook's YAML, as shipped."""
    folder = resources.files("hireproof.core.playbook.builtin")
    return folder.joinpath(f"{SEED_ID}.yaml").read_text("utf-8")


def seed_as_version(version: str, text: str | None = None) -> str:
    """The seed playbook (or ``text``) with its version changed to ``version``."""
    source = seed_yaml() if text is None else text
    assert SEED_VERSION_LINE in source
    return source.replace(SEED_VERSION_LINE, f'version: "{version}"', 1)


def published_events() -> list[tuple[str | None, dict[str, Any]]]:
    """(actor, public) of every ``playbook.published`` event, in log order."""
    found = []
    for leaf in LogLeaf.objects.filter(event_type=EventType.PLAYBOOK_PUBLISHED).order_by("index"):
        parsed = without_event_time(parse_leaf(bytes(leaf.data)))
        found.append((parsed.actor, dict(parsed.public)))
    return found
