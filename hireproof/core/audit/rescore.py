"""Re-running the deterministic scorer on a disclosed answer sheet, for the verifier."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hireproof.core.errors import HireproofError

from .bundle import PlaybookText
from .events import Leaf

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
    leaf: Leaf, answers: object, playbooks: Mapping[str, PlaybookText], rescorer: Rescorer
) -> str | None:
    """Why re-scoring the disclosed answers does not reproduce the event, or ``None``."""
    named = leaf.public.get("playbook")
    recorded = leaf.public.get("scorecard_hash")
    if not (
        isinstance(named, dict)
        and all(isinstance(named.get(key), str) for key in ("id", "version", "hash"))
        and isinstance(recorded, str)
    ):
        return "the scoring event does not name its playbook (id, version, hash) and scorecard hash"
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


def _load_published(text: str, filename: str) -> Playbook:
    # A bundle's playbook was published: it loads under the checks it was published with
    # (patterns scored by the engine they were scored with then), so its scores reproduce.
    from hireproof.core.playbook import load_playbook_text

    return load_playbook_text(text, filename, published=True)


@functools.lru_cache(maxsize=16)
def _loaded(text: str, filename: str, load: Callable[[str, str], Playbook]) -> Playbook:
    # A bundle's disclosed attempts mostly name one playbook: parse and validate it once, not
    # once per attempt (a frozen Playbook is safe to share; a refusal raises and is not kept).
    return load(text, filename)
