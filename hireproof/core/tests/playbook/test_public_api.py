"""The playbook package's public surface is pinned."""

from __future__ import annotations

import hireproof.core.playbook as playbook


def test_the_public_api_is_pinned() -> None:
    assert sorted(playbook.__all__) == [
        "Playbook",
        "builtin_ids",
        "canonical_form",
        "load_builtin",
        "load_playbook",
        "load_playbook_text",
        "playbook_hash",
        "playbook_schema",
        "playbook_to_dict",
    ]
    assert all(hasattr(playbook, name) for name in playbook.__all__)
