"""Re-running the deterministic scorer on a disclosed answer sheet, for the verifier."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hireproof.core.errors import AuditError, HireproofError, PlaybookError

from .bundle import PlaybookText
from .events import SCORECARD_HASH_FIELD, Leaf

if TYPE_CHECKING:
    from hireproof.core.playbook.model import Playbook

__all__ = ["Rescored", "Rescorer", "rescore_problem", "rescore_with_core"]


@dataclass(frozen=True)
class Rescored:
    """What re-scoring gives: the playbook that was loaded and the scorecard hash."""

    playbook_id: str
    playbook_version: str
    playbook_hash: str
    scorecard_hash: str


# (playbook YAML text, its file name, answers) -> what re-scoring gives; tests pass a stand-in.
Rescorer = Callable[[str, str, Mapping[str, str]], Rescored]


def rescore_with_core(text: str, filename: str, answers: Mapping[str, str]) -> Rescored:
    """Load the playbook YAML and score the answers with the product's deterministic scorer."""
    # Imported when first needed: verifying a bundle without disclosed scoring events never
    # loads the playbook reader or the scorer.
    from hireproof.core.scoring import score

    playbook = _loaded(text, filename, _load_published)
    scorecard = score(playbook, answers)
    return Rescored(
        playbook_id=playbook.id,
        playbook_version=playbook.version,
        playbook_hash=playbook.hash,
        scorecard_hash=scorecard.hash,
    )


def rescore_problem(
    leaf: Leaf,
    answers: object,
    playbooks: Mapping[str, PlaybookText],
    rescorer: Rescorer,
    *,
    opened_scorecard_hash: object = None,
) -> str | None:
    """Why re-scoring the disclosed answers does not reproduce the event, or ``None``.

    The recorded scorecard hash is the opened ``scorecard_hash`` field when the leaf commits
    one (``opened_scorecard_hash``: the value of that field's checked opening), else the public
    ``scorecard_hash`` of a leaf written before the hash was committed.
    """
    named = leaf.public.get("playbook")
    if not (
        isinstance(named, dict)
        and all(isinstance(named.get(key), str) for key in ("id", "version", "hash"))
    ):
        return "the scoring event does not name its playbook (id, version, hash)"
    recorded = _recorded_scorecard_hash(leaf, opened_scorecard_hash)
    if not isinstance(recorded, str):
        return recorded.problem
    if not (isinstance(answers, dict) and all(isinstance(v, str) for v in answers.values())):
        return "the opened answers are not an object of item id -> answer text"
    playbook = playbooks.get(named["hash"])
    if playbook is None:
        return f"the bundle does not include playbook {named['id']} {named['version']}"
    try:
        result = rescorer(playbook.text, playbook.filename, answers)
    except HireproofError as error:
        return f"re-scoring failed: {error}"
    if result.playbook_hash != named["hash"]:
        return f"the bundled playbook text hashes to {result.playbook_hash}, not {named['hash']}"
    if (result.playbook_id, result.playbook_version) != (named["id"], named["version"]):
        return (
            f"the bundled playbook is {result.playbook_id} {result.playbook_version}, "
            f"not {named['id']} {named['version']}"
        )
    if result.scorecard_hash != recorded:
        return (
            f"re-scoring the disclosed answers gives scorecard hash {result.scorecard_hash}, "
            f"the log recorded {recorded}"
        )
    return None


@dataclass(frozen=True)
class _Missing:
    problem: str


def _recorded_scorecard_hash(leaf: Leaf, opened: object) -> str | _Missing:
    if SCORECARD_HASH_FIELD in leaf.commitments:
        if isinstance(opened, str):
            return opened
        if opened is None:
            return _Missing(
                "the scoring event commits its scorecard hash: the bundle must open the "
                f"{SCORECARD_HASH_FIELD} field with the answers to re-score them"
            )
        return _Missing(f"the opened {SCORECARD_HASH_FIELD} is not a string")
    public = leaf.public.get("scorecard_hash")
    if isinstance(public, str):
        return public
    return _Missing("the scoring event neither commits nor names its scorecard hash")


def _load_published(text: str, filename: str) -> Playbook:
    # A bundle's playbook was published: it loads under the checks it was published with, so
    # its hash reproduces. But its text is the bundle's, which anyone may have written: its
    # regex rules must be ones the app scores with RE2 today (time linear in the answer),
    # checked before its rubric examples run, so no pattern can stall the verifier. A version
    # published before patterns were checked for RE2 is not re-scored (the app gives such
    # patterns to Python's backtracking ``re``).
    from hireproof.core.playbook import load_playbook_text

    try:
        return load_playbook_text(text, filename, published=True, re2_only=True)
    except PlaybookError as error:
        raise AuditError(
            f"{error}. The verifier runs only the regular expressions the app scores with "
            "RE2, in time linear in the answer, so no playbook in a bundle can stall it"
        ) from None


@functools.lru_cache(maxsize=16)
def _loaded(text: str, filename: str, load: Callable[[str, str], Playbook]) -> Playbook:
    # A bundle's disclosed attempts mostly name one playbook: parse and validate it once, not
    # once per attempt (a frozen Playbook is safe to share; a refusal raises and is not kept).
    return load(text, filename)
