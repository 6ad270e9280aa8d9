"""`hireproof score --record`: the command line writes its scoring through the same log path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.export import export_bundle
from hireproof.audit.models import LogLeaf, Subject
from hireproof.cli import main
from hireproof.core.audit import parse_leaf, verify_bundle
from hireproof.core.playbook import load_builtin
from hireproof.core.scoring import score

ANSWERS = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "The result is 70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141",
    "communication-summary": "B",
}


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(ANSWERS), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_a_recorded_cli_score_is_a_leaf_without_the_answers(
    answers_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["score", "--playbook", "data-scientist-mid", "--answers", str(answers_file), "--record"]
    )

    assert code == 0
    leaf = LogLeaf.objects.get(event_type="cli.scored")
    parsed = parse_leaf(bytes(leaf.data))
    playbook = load_builtin("data-scientist-mid")
    expected = score(playbook, ANSWERS)
    assert parsed.public == {
        "playbook": {"id": "data-scientist-mid", "version": "1.0.0", "hash": playbook.hash}
    }
    assert set(parsed.commitments) == {"answers", "scorecard_hash"}
    assert expected.hash.encode() not in bytes(leaf.data)  # committed, never public
    assert b"The result is 70" not in bytes(leaf.data)
    assert f"leaf {leaf.index} (cli.scored" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_disclosed_cli_score_is_rescored_by_the_auditors_verifier(
    answers_file: Path, tmp_path: Path
) -> None:
    main(["score", "--playbook", "data-scientist-mid", "--answers", str(answers_file), "--record"])
    subject = Subject.objects.get()
    out = tmp_path / "bundle"

    export_bundle(out, disclose=[subject])
    report = verify_bundle(out, trusted_vkeys=[current_vkey()])

    assert report.failures == ()
    assert report.rescored == 1


def test_without_record_the_score_command_touches_no_database(
    answers_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No django_db mark: any database access here would fail the test.
    assert main(["score", "--playbook", "data-scientist-mid", "--answers", str(answers_file)]) == 0
    assert "Recorded" not in capsys.readouterr().err
