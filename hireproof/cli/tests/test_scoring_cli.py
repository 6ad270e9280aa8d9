"""``hireproof score`` and ``hireproof decide`` end to end: reports, JSON, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hireproof.cli import main
from hireproof.core.playbook import load_builtin
from hireproof.core.scoring import InterviewScorecard, decide, score

BUILTIN = Path(__file__).parents[2] / "core" / "playbook" / "builtin"
EXAMPLES = BUILTIN / "examples"
MID = load_builtin("data-scientist-mid")
QUESTIONS = [question.id for question in MID.interview.questions]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, content: Any) -> str:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def ratings(*values: int) -> dict[str, int]:
    return dict(zip(QUESTIONS, values, strict=True))


def test_score_prints_every_item_with_its_points_and_explanation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = str(EXAMPLES / "warning-review.json")
    code, out, err = run(capsys, "score", "--playbook", "data-scientist-mid", "--answers", answers)
    assert (code, err) == (0, "")
    card = score(MID, json.loads(Path(answers).read_text()))
    lines = out.splitlines()
    assert lines[0] == f"Playbook data-scientist-mid version {MID.version} (sha256 {MID.hash})"
    assert "pandas-filter-sum [hard-technical-skills]: 1/1 points, correct" in lines
    assert "    found the number 70.0 at characters 1-4; equals the key 70 -> 1 point" in lines
    assert "sjt-incomplete-data [situational-judgment]: 0/1 points, incorrect" in lines
    assert "Score: 4/5 points = 80.00% (strong_pass)" in lines
    assert "Verdict: strong_pass" in lines
    assert f"    warning on sjt-incomplete-data: {card.flags[0].reason}" in lines
    assert "Recommendation: review" in lines
    assert "    - review: strong_pass, but 1 warning to review" in lines
    assert lines[-1] == f"Scorecard sha256: {card.hash}"


def test_score_without_flags_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    answers = str(EXAMPLES / "strong-pass.json")
    code, out, _ = run(capsys, "score", "--playbook", "data-scientist-mid", "--answers", answers)
    assert code == 0
    assert "Flags: none" in out.splitlines()
    assert "Recommendation: advance" in out.splitlines()


def test_score_json_is_exactly_one_object_and_the_same_every_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = str(EXAMPLES / "critical-fail.json")
    argv = ("score", "--playbook", "data-scientist-mid", "--answers", answers, "--json")
    code, first, _ = run(capsys, *argv)
    _, second, _ = run(capsys, *argv)
    assert code == 0
    assert first == second
    data = json.loads(first)
    assert data == score(MID, json.loads(Path(answers).read_text())).to_dict()
    assert data["verdict"] == "critical_fail"


def test_score_takes_a_playbook_file(capsys: pytest.CaptureFixture[str]) -> None:
    playbook = str(BUILTIN / "data-scientist-mid-weighted.yaml")
    answers = str(EXAMPLES / "borderline.json")
    code, out, _ = run(capsys, "score", "--playbook", playbook, "--answers", answers, "--json")
    assert code == 0
    assert json.loads(out)["score"] == {"points": "8", "max_points": "10", "percent": "80.00"}


def test_decide_prints_the_recommendation_with_the_arithmetic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = str(EXAMPLES / "strong-pass.json")
    interviews = write(
        tmp_path,
        "ratings.json",
        [
            {"interviewer": "Ana", "ratings": ratings(5, 5, 4, 4, 5), "notes": "clear"},
            {"interviewer": "Bo", "ratings": ratings(4, 5, 5, 4, 4), "red_flags": []},
        ],
    )
    argv = ["decide", "--playbook", "data-scientist-mid", "--answers", answers]
    code, out, err = run(capsys, *argv, "--interviews", interviews)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "Test: 100.00% (strong_pass), scorecard sha256 " in lines[1]
    assert lines[2] == "Interviewers: Ana, Bo"
    assert lines[3] == "Recommendation: hire"
    assert lines[4] == (
        "    - test 100.00% (strong_pass) x 40% + interview 87.50% x 60% = 92.50% -> hire: "
        "combined at least 75%, strong_pass, no red flags"
    )
    assert lines[-1].startswith("Recommendation sha256: ")


def test_decide_json_matches_the_core(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = str(EXAMPLES / "strong-pass.json")
    interviews = write(
        tmp_path,
        "ratings.json",
        [
            {
                "interviewer": "Ana",
                "ratings": ratings(2, 2, 2, 2, 2),
                "red_flags": ["overfitting/no-validation"],
            }
        ],
    )
    argv = ["decide", "--playbook", "data-scientist-mid", "--answers", answers]
    code, out, _ = run(capsys, *argv, "--interviews", interviews, "--json")
    assert code == 0
    card = score(MID, json.loads(Path(answers).read_text()))
    expected = decide(
        MID,
        card,
        [InterviewScorecard("Ana", ratings(2, 2, 2, 2, 2), ("overfitting/no-validation",))],
    )
    assert json.loads(out) == expected.to_dict()
    assert json.loads(out)["recommendation"] == "no_hire"


def test_decide_with_no_interviews_keeps_the_test_recommendation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = str(EXAMPLES / "borderline.json")
    interviews = write(tmp_path, "ratings.json", [])
    argv = ["decide", "--playbook", "data-scientist-mid", "--answers", answers]
    code, out, _ = run(capsys, *argv, "--interviews", interviews)
    assert code == 0
    assert "Interviewers: none" in out.splitlines()
    assert "Recommendation: review" in out.splitlines()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"pandas-filter-sum": "70",\n  "outlier-ages" "141"}',
            "{path}:2:18: invalid JSON: Expecting ':' delimiter",
        ),
        ('["70"]', "{path}: answers must map item ids to answer strings, got a list"),
        (
            '{"pandas-filter-sum": "70", "pandas-filter-sum": "700"}',
            '{path}: "pandas-filter-sum" is given twice',
        ),
        (
            '{"pandas-filter-sum": 70}',
            "{path}: the answer to pandas-filter-sum must be a string, got the number 70",
        ),
        (
            '{"pandas-filter-sum": "70", "bonus": "1"}',
            "{path}: answers for items the playbook data-scientist-mid does not have: bonus "
            "(its items are cognitive-growth, pandas-filter-sum, sjt-incomplete-data, "
            "outlier-ages, communication-summary)",
        ),
    ],
)
def test_score_refuses_bad_answers_with_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path, "answers.json", content)
    code, out, err = run(capsys, "score", "--playbook", "data-scientist-mid", "--answers", path)
    assert (code, out) == (2, "")
    assert err == f"hireproof: {message.format(path=path)}\n"


def test_score_refuses_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = str(tmp_path / "nope.json")
    code, _, err = run(capsys, "score", "--playbook", "data-scientist-mid", "--answers", path)
    assert (code, err) == (2, f"hireproof: {path}: no such file\n")


def test_score_refuses_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "score", "--playbook", "data-scientist-mid", "--answers", str(tmp_path)
    )
    assert (code, err) == (2, f"hireproof: {tmp_path}: cannot be read (Is a directory)\n")


def test_score_refuses_a_file_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(b'{"pandas-filter-sum": "\xff"}')
    code, _, err = run(capsys, "score", "--playbook", "data-scientist-mid", "--answers", str(path))
    assert (code, err) == (2, f"hireproof: {path}: is not UTF-8 text\n")


def test_score_reads_a_file_that_starts_with_a_byte_order_mark(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(b'\xef\xbb\xbf{"pandas-filter-sum": "70"}')
    code, out, err = run(
        capsys, "score", "--playbook", "data-scientist-mid", "--answers", str(path), "--json"
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["score"]["points"] == "1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[", "{path}:1:2: invalid JSON: Expecting value"),
        ('{"interviewer": "Ana"}', "{path}: expected a list of interview scorecards"),
        ('["Ana"]', "{path}: [0]: expected an object with interviewer and ratings"),
        (
            '[{"interviewer": "Ana", "ratings": {}, "score": 4}]',
            "{path}: [0]: unknown field 'score' (allowed: interviewer, ratings, red_flags, notes)",
        ),
        ('[{"ratings": {}}]', "{path}: [0]: missing interviewer"),
        (
            '[{"interviewer": 7, "ratings": {}}]',
            "{path}: [0].interviewer: expected a string, got 7",
        ),
        (
            '[{"interviewer": "Ana", "ratings": [4, 4]}]',
            "{path}: [0].ratings: expected an object of question id -> rating, got [4, 4]",
        ),
        (
            '[{"interviewer": "Ana", "ratings": {}, "red_flags": "overfitting/no-validation"}]',
            "{path}: [0].red_flags: expected a list of question-id/flag-id, "
            'got "overfitting/no-validation"',
        ),
        (
            '[{"interviewer": "Ana", "ratings": {}, "red_flags": [1]}]',
            "{path}: [0].red_flags: expected a list of question-id/flag-id strings",
        ),
        (
            '[{"interviewer": "Ana", "ratings": {}, '
            '"red_flags": ["overfitting/no-validation", "overfitting/no-validation"]}]',
            '{path}: [0].red_flags: "overfitting/no-validation" is ticked twice',
        ),
        (
            '[{"interviewer": "Ana", "ratings": {}, "notes": null}]',
            "{path}: [0].notes: expected a string, got null",
        ),
        (
            '[{"interviewer": "Ana", "ratings": {"overfitting": 4, "overfitting": 2}}]',
            '{path}: "overfitting" is given twice',
        ),
        (
            '[{"interviewer": "Ana", "ratings": {"overfitting": 4}}]',
            "{path}: interview 1 (Ana): no rating for past-project, deployment, "
            "ill-defined-request, continuous-learning",
        ),
    ],
)
def test_decide_refuses_bad_interviews_with_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path, "ratings.json", content)
    answers = str(EXAMPLES / "strong-pass.json")
    argv = ["decide", "--playbook", "data-scientist-mid", "--answers", answers]
    code, out, err = run(capsys, *argv, "--interviews", path)
    assert (code, out) == (2, "")
    assert err == f"hireproof: {message.format(path=path)}\n"


def test_the_installed_command_scores_end_to_end() -> None:
    answers = str(EXAMPLES / "strong-pass.json")
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "hireproof", "score"),
            *("--playbook", "data-scientist-mid", "--answers", answers, "--json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    assert json.loads(completed.stdout)["recommendation"] == "advance"
