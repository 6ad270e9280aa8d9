"""``hireproof playbook ...`` end to end, through ``main`` and once through the installed script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hireproof.cli import main
from hireproof.cli.playbook import render_guide, resolve_playbook
from hireproof.core.errors import PlaybookError
from hireproof.core.playbook import load_builtin, load_playbook_text, playbook_schema
from hireproof.core.tests.playbook.sample import SAMPLE

SCRIPT = Path(sys.executable).with_name("hireproof")
MID = load_builtin("data-scientist-mid")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(SAMPLE.replace("key: 4\n", "key: seventy\n      tolerence: 1\n"), "utf-8")
    return path


def test_validate_prints_ok_with_id_version_and_hash(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook = load_playbook_text(SAMPLE, "tiny.yaml")
    assert main(["playbook", "validate", str(tiny)]) == 0
    assert capsys.readouterr().out == f"{tiny}: ok (tiny 1.0.0, {playbook.hash})\n"


def test_validate_prints_every_problem_and_exits_2(
    tiny: Path, broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["playbook", "validate", str(broken), str(tiny)]) == 2
    output = capsys.readouterr()
    assert output.err == (
        f'{broken}:34:12: assessment.items[0].key: expected a number, got "seventy"\n'
        f"{broken}:35:7: assessment.items[0]: unknown field 'tolerence' "
        "(did you mean 'tolerance'?)\n"
    )
    assert output.out.startswith(f"{tiny}: ok (tiny 1.0.0, ")


def test_validate_refuses_a_pattern_past_the_bound_on_its_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "slow.yaml"
    path.write_text(SAMPLE.replace('{regex: "wrong"}', "{regex: '(.{0,999})z'}"), "utf-8")
    assert main(["playbook", "validate", str(path)]) == 2
    assert capsys.readouterr().err.startswith(
        f"{path}:59:67: assessment.items[2].rule.all_of[1].any_of[1].regex: the pattern "
        "compiles to 8,996 RE2 instructions; at most 150 are allowed"
    )


def test_show_prints_the_whole_guide_for_staff(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbook", "show", "data-scientist-mid"]) == 0
    out = capsys.readouterr().out
    assert out == render_guide(MID)
    for expected in [
        "Mid-Level Data Scientist / ML Engineer Hiring Guide\n====",
        f"- Hash: {MID.hash}",
        "- Data Acquisition & Preparation: Identify and gather relevant data",
        "[ Soft skills ]",
        "- Curiosity and Continuous Learning: A genuine passion for data",
        "- Platforms & Infrastructure: Experience with at least one major cloud platform",
        "Notice shown to candidates up front: Some questions have answers that may disqualify",
        "[ 2. pandas-filter-sum (Hard Technical Skills, numeric, 1 of 5 points) ]",
        "    result = df[df['a'] > 2]['b'].sum()\n    print(result)\n",
        "Key: 70 exactly",
        "Rule: the answer contains the number 141 exactly",
        "Correct option: B",
        "Dummy results: Fabricate or extrapolate data",
        "[red flag, critical: Fabricating data:",
        "Audit note: This question is designed to flag extreme poor judgment.",
        '- reject: "700", "70 or 100", "seventy", "7"',
        "Rating scale: 1 strong no, 2 no, 3 mixed, 4 yes, 5 strong yes",
        "[ Q5. Curiosity and Continuous Learning (continuous-learning) ]",
        "- strong_pass: 80% or more",
        "Combined score: 40% test + 60% interview; hire needs at least 75%, below 60% is no hire",
    ]:
        assert expected in out


def test_show_renders_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbook", "show", "data-scientist-mid", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Mid-Level Data Scientist / ML Engineer Hiring Guide\n\n")
    assert "\n## Core responsibilities\n" in out
    assert (
        "\n### 3. sjt-incomplete-data (Situational Judgment, single_choice, 1 of 5 points)\n" in out
    )
    assert "**Correct option:** B" in out


def test_show_gives_each_item_its_worth_in_the_weighted_test(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["playbook", "show", "data-scientist-mid-weighted"]) == 0
    headings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[ ")]
    assert headings[3:8] == [
        "[ 1. cognitive-growth (Cognitive Reasoning, numeric, 1 of 10 points) ]",
        "[ 2. pandas-filter-sum (Hard Technical Skills, numeric, 3 of 10 points) ]",
        "[ 3. sjt-incomplete-data (Situational Judgment, single_choice, 2 of 10 points) ]",
        "[ 4. outlier-ages (Accuracy, text, 3 of 10 points) ]",
        "[ 5. communication-summary (Communication, single_choice, 1 of 10 points) ]",
    ]


def test_show_prints_json_with_the_hash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbook", "show", "data-scientist-mid-weighted", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    weighted = load_builtin("data-scientist-mid-weighted")
    assert (data["id"], data["hash"]) == ("data-scientist-mid-weighted", weighted.hash)
    assert [section["weight"] for section in data["assessment"]["sections"]] == [
        "1",
        "3",
        "2",
        "3",
        "1",
    ]


def test_show_reads_a_file_and_describes_every_rule(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["playbook", "show", str(tiny)]) == 0
    out = capsys.readouterr().out
    rule = (
        "Rule: the answer meets all of: (contains the number 99 within 1%; meets any of: "
        '(contains one of "outlier", "error"; matches the regular expression "wrong"); '
        'meets none of: (contains one of "not"))'
    )
    assert rule in " ".join(out.split())
    assert "[ 1. sum (Maths, numeric, 1/3 of 3 points) ]" in out
    assert "[ 3. outlier (Maths, text, 2/3 of 3 points) ]" in out
    assert "[ 2. choice (Judgment, single_choice, 2 of 3 points) ]" in out
    assert "- Judgment (judgment): weight 2 - Choices." in out
    assert "- Maths (maths): weight 1\n" in out


def test_show_renders_an_absolute_tolerance_and_a_guide_without_extras() -> None:
    text = (
        SAMPLE.replace("key: 4\n", "key: 4\n      tolerance: {kind: absolute, value: 0.5}\n")
        .replace("  tools:\n    - {name: Python, description: pandas and friends.}\n", "")
        .replace("  when_to_use: When numbers matter.\n", "")
        .replace("      rationale: Honesty.\n      audit_note: A disqualifies.\n", "")
        .replace(
            '      examples: {accept: ["99 is an outlier"], reject: ["99 is not an outlier"]}\n',
            "",
        )
        .replace("      red_flags: [{id: rude, text: Is rude.}]\n", "")
        .replace("  summary: Numbers decide.\n", "")
    )
    guide = render_guide(load_playbook_text(text, "tiny.yaml"))
    assert "Key: 4 give or take 0.5" in guide
    for absent in [
        "Tools & systems",
        "When to use",
        "Rationale:",
        "Audit note:",
        "Red flags:",
        "Scoring guidance:",
        'accept: "99 is an outlier"',
    ]:
        assert absent not in guide


def test_an_unknown_playbook_exits_2_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["playbook", "show", "nope"]) == 2
    assert capsys.readouterr().err == (
        "hireproof: nope: no such file, and no built-in playbook by this name "
        "(built-ins: data-scientist-mid, data-scientist-mid-weighted)\n"
    )


def test_resolve_playbook_takes_an_id_or_a_path(tiny: Path, tmp_path: Path) -> None:
    assert resolve_playbook("data-scientist-mid") is MID
    assert resolve_playbook(str(tiny)).id == "tiny"
    with pytest.raises(PlaybookError) as raised:
        resolve_playbook(str(tmp_path / "missing.yaml"))
    assert str(raised.value).endswith(
        "missing.yaml: cannot read the file: No such file or directory"
    )


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbook", "schema"]) == 0
    assert json.loads(capsys.readouterr().out) == playbook_schema()


def test_list_prints_the_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    weighted = load_builtin("data-scientist-mid-weighted")
    assert main(["playbook", "list"]) == 0
    assert capsys.readouterr().out == (
        f"data-scientist-mid           1.0.0     {MID.hash[:12]}  {MID.title}\n"
        f"data-scientist-mid-weighted  1.0.0     {weighted.hash[:12]}  {weighted.title}\n"
    )


def test_the_installed_script_validates_and_fails_with_exit_2(tiny: Path, broken: Path) -> None:
    ok = subprocess.run(
        [str(SCRIPT), "playbook", "validate", str(tiny)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout.startswith(f"{tiny}: ok (tiny 1.0.0, ")
    bad = subprocess.run(
        [str(SCRIPT), "playbook", "validate", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[0] == (
        f'{broken}:34:12: assessment.items[0].key: expected a number, got "seventy"'
    )
