"""A playbook published in the library travels in an audit export that discloses its scores,
so an auditor re-scores them without asking us for anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from hireproof.audit.actions import do_record_cli_score
from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.models import Subject
from hireproof.core.audit import verify_bundle
from hireproof.core.scoring import score
from hireproof.hiring.actions.log_export import do_export_log
from hireproof.hiring.actions.playbooks import do_publish_playbook

pytestmark = pytest.mark.django_db

ANSWERS = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "The result is 70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141",
    "communication-summary": "B",
}


def test_an_uploaded_playbook_travels_in_the_bundle_so_its_scores_can_be_rechecked(
    tmp_path: Path,
) -> None:
    builtin_text = (
        Path(__file__).parents[3] / "core" / "playbook" / "builtin" / "data-scientist-mid.yaml"
    ).read_text(encoding="utf-8")
    uploaded_text = builtin_text.replace("id: data-scientist-mid\n", "id: acme-data-scientist\n", 1)
    version = do_publish_playbook(uploaded_text, "acme.yaml", actor=None)
    playbook = version.load()
    do_record_cli_score(playbook, ANSWERS, score(playbook, ANSWERS))
    out = tmp_path / "bundle"

    bundle = do_export_log(out, actor="cli", disclose=[Subject.objects.get()]).bundle
    report = verify_bundle(out, trusted_vkeys=[current_vkey()])

    assert [text.text for text in bundle.playbooks.values()] == [uploaded_text]
    assert report.ok
    assert report.rescored == 1
