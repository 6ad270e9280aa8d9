"""``hireproof score`` and ``hireproof decide``: answer sheets and interview ratings, explained.

hireproof score  --playbook ID|FILE --answers ANSWERS.json [--json] [--record]
hireproof decide --playbook ID|FILE --answers ANSWERS.json --interviews RATINGS.json [--json]

ANSWERS.json maps item ids to the candidate's answer strings. RATINGS.json is a list of
``{"interviewer": "...", "ratings": {"question-id": 4, ...}, "red_flags": [...], "notes": "..."}``.
Bad input (a missing file, invalid JSON, answers that do not fit the playbook) exits 2 with a
one-line reason on stderr. ``--record`` also writes the scoring to the application's audit
log (``cli.scored``, answers committed, not stored in the leaf), the same path the web app uses.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hireproof.cli.django_setup import with_django
from hireproof.cli.playbook import resolve_playbook
from hireproof.core.errors import AnswersError, HireproofError, InterviewsError
from hireproof.core.playbook import Playbook
from hireproof.core.scoring import (
    InterviewScorecard,
    Recommendation,
    Scorecard,
    decide,
    decimal_string,
    percent_string,
    score,
)

__all__ = ["read_interviews", "register", "run_decide", "run_score"]

_INTERVIEW_FIELDS = ("interviewer", "ratings", "red_flags", "notes")
_REQUIRED = object()  # the default of a field that must be given


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``hireproof score`` and ``hireproof decide``."""
    score_parser = subparsers.add_parser(
        "score", help="score an answer sheet with a playbook, explaining every point"
    )
    _add_common_arguments(score_parser)
    score_parser.add_argument(
        "--record",
        action="store_true",
        help="also record the scoring in the application's audit log (needs its database)",
    )
    score_parser.set_defaults(handler=run_score)

    decide_parser = subparsers.add_parser(
        "decide", help="combine the written test and interview ratings into a recommendation"
    )
    _add_common_arguments(decide_parser)
    decide_parser.add_argument(
        "--interviews",
        required=True,
        metavar="RATINGS.json",
        help="a JSON list of interview scorecards (interviewer, ratings, red_flags, notes)",
    )
    decide_parser.set_defaults(handler=run_decide)


def _add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--playbook", required=True, metavar="ID|FILE", help="a built-in playbook id or a YAML file"
    )
    parser.add_argument(
        "--answers",
        required=True,
        metavar="ANSWERS.json",
        help="a JSON object mapping item ids to answer strings",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run_score(args: argparse.Namespace) -> int:
    """Score the answer sheet and print the scorecard."""
    playbook = resolve_playbook(args.playbook)
    answers = _read_json(args.answers, AnswersError)
    card = _score_sheet(playbook, answers, args.answers)
    print(_as_json(card.to_dict()) if args.json else render_scorecard(card))
    return _record(args, playbook, answers, card) if args.record else 0


@with_django
def _record(
    args: argparse.Namespace, playbook: Playbook, answers: Mapping[str, str], card: Scorecard
) -> int:
    from hireproof.audit.actions import do_record_cli_score

    leaf = do_record_cli_score(playbook, answers, card)
    print(
        f"Recorded in the audit log as leaf {leaf.index} (cli.scored, subject {leaf.subject}).",
        file=sys.stderr,
    )
    return 0


def run_decide(args: argparse.Namespace) -> int:
    """Score the answer sheet, weigh in the interviews, and print the recommendation."""
    playbook = resolve_playbook(args.playbook)
    card = _scored(playbook, args.answers)
    interviews = read_interviews(args.interviews)
    try:
        result = decide(playbook, card, interviews)
    except InterviewsError as error:
        raise InterviewsError(f"{args.interviews}: {error}") from None
    print(_as_json(result.to_dict()) if args.json else render_recommendation(card, result))
    return 0


def _scored(playbook: Playbook, answers_path: str) -> Scorecard:
    return _score_sheet(playbook, _read_json(answers_path, AnswersError), answers_path)


def _score_sheet(playbook: Playbook, answers: Any, answers_path: str) -> Scorecard:
    try:
        return score(playbook, answers)
    except AnswersError as error:
        raise AnswersError(f"{answers_path}: {error}") from None


def read_interviews(path: str) -> list[InterviewScorecard]:
    """The interview scorecards in the JSON file at ``path`` (``InterviewsError`` if malformed)."""
    data = _read_json(path, InterviewsError)
    if not isinstance(data, list):
        raise InterviewsError(f"{path}: expected a list of interview scorecards")
    return [_interview(f"{path}: [{index}]", entry) for index, entry in enumerate(data)]


def _interview(where: str, entry: Any) -> InterviewScorecard:
    if not isinstance(entry, dict):
        raise InterviewsError(f"{where}: expected an object with interviewer and ratings")
    unknown = sorted(set(entry) - set(_INTERVIEW_FIELDS))
    if unknown:
        allowed = ", ".join(_INTERVIEW_FIELDS)
        raise InterviewsError(f"{where}: unknown field {unknown[0]!r} (allowed: {allowed})")
    interviewer = _field(where, entry, "interviewer", str, _REQUIRED, "a string")
    ratings = _field(where, entry, "ratings", dict, _REQUIRED, "an object of question id -> rating")
    red_flags = _field(where, entry, "red_flags", list, [], "a list of question-id/flag-id")
    notes = _field(where, entry, "notes", str, "", "a string")
    if not all(isinstance(flag, str) for flag in red_flags):
        raise InterviewsError(f"{where}.red_flags: expected a list of question-id/flag-id strings")
    repeated = next((flag for index, flag in enumerate(red_flags) if flag in red_flags[:index]), "")
    if repeated:  # one concern ticked twice must not count as two red flags
        raise InterviewsError(f"{where}.red_flags: {json.dumps(repeated)} is ticked twice")
    return InterviewScorecard(interviewer, ratings, tuple(red_flags), notes)


def _field(
    where: str, entry: Mapping[str, Any], name: str, kind: type, default: Any, expected: str
) -> Any:
    if name not in entry:
        if default is _REQUIRED:
            raise InterviewsError(f"{where}: missing {name}")
        return default
    value = entry[name]
    if not isinstance(value, kind):
        raise InterviewsError(f"{where}.{name}: expected {expected}, got {json.dumps(value)}")
    return value


class _RepeatedKey(Exception):
    """A JSON object gives the same key twice (``json`` would silently keep the last)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


def _read_json(path: str, error: Callable[[str], HireproofError]) -> Any:
    try:
        # utf-8-sig: editors on Windows often start UTF-8 files with a byte-order mark.
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror})") from None
    except UnicodeDecodeError:
        raise error(f"{path}: is not UTF-8 text") from None
    try:
        return json.loads(text, object_pairs_hook=_object_without_repeats)
    except json.JSONDecodeError as problem:
        raise error(
            f"{path}:{problem.lineno}:{problem.colno}: invalid JSON: {problem.msg}"
        ) from None
    except _RepeatedKey as repeated:
        # Two answers to one item (or two ratings of one question): which one counts would be
        # a guess, so neither does.
        raise error(f"{path}: {json.dumps(repeated.key)} is given twice") from None


def _as_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2)


# --- human-readable reports -------------------------------------------------------------------


def render_scorecard(card: Scorecard) -> str:
    """The scorecard as a report a recruiter can read: every item, the total, flags, next step."""
    ref = card.playbook
    lines = [f"Playbook {ref.id} version {ref.version} (sha256 {ref.hash})", ""]
    for item in card.items:
        points = f"{decimal_string(item.points)}/{decimal_string(item.max_points)}"
        lines.append(f"{item.id} [{item.section}]: {points} points, {item.outcome}")
        lines.append(f"    {item.explanation}")
    lines += [
        "",
        f"Score: {decimal_string(card.points)}/{decimal_string(card.max_points)} points "
        f"= {percent_string(card.percent)}% ({card.band})",
        f"Verdict: {card.verdict}",
    ]
    if card.flags:
        lines.append("Flags:")
        lines += [f"    {flag.severity} on {flag.item}: {flag.reason}" for flag in card.flags]
    else:
        lines.append("Flags: none")
    lines.append(f"Recommendation: {card.recommendation}")
    lines += [f"    - {reason}" for reason in card.reasons]
    lines.append(f"Scorecard sha256: {card.hash}")
    return "\n".join(lines)


def render_recommendation(card: Scorecard, result: Recommendation) -> str:
    """The recommendation as a readable report, with the test summary and every reason."""
    ref = result.playbook
    interviewers = ", ".join(result.interviewers) or "none"
    lines = [
        f"Playbook {ref.id} version {ref.version} (sha256 {ref.hash})",
        f"Test: {percent_string(card.percent)}% ({card.verdict}), scorecard sha256 {card.hash}",
        f"Interviewers: {interviewers}",
        f"Recommendation: {result.kind}",
        *(f"    - {reason}" for reason in result.reasons),
        f"Recommendation sha256: {result.hash}",
    ]
    return "\n".join(lines)
