"""The log's key history: which keys may sign which checkpoint sizes, and who vouches for whom.

The log records its own keys: ``log.created`` names the first key and each ``log.key_rotated``
names the next one. From that record and the keys an auditor pins, ``signing_keys`` decides the
keys the verifier accepts and the sizes each may sign. A pinned key vouches for its neighbours
in the history once it has signed a checkpoint over the rotation event between them that
matches the leaves, so an auditor who pinned the key published on day one still verifies the
log after a rotation.

These functions report problems as plain-words messages and leave it to the caller to say
where they were found.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from hireproof.core.errors import SignatureError

from .bundle import KeyPeriod
from .checkpoint import Verifier, open_checkpoint, parse_vkey
from .events import EventType

__all__ = [
    "KEY_EVENTS",
    "KeyChain",
    "KeySelection",
    "KeyedPeriod",
    "RotationEvidence",
    "Vouches",
    "check_keys_are_logged",
    "follow_key_history",
    "key_list_problems",
    "parse_bundle_keys",
    "signing_keys",
]

KEY_EVENTS = frozenset({EventType.LOG_CREATED.value, EventType.LOG_KEY_ROTATED.value})

# A key and the checkpoint sizes it may sign.
KeyedPeriod: TypeAlias = tuple[KeyPeriod, Verifier]
# Whether a key signed a checkpoint over a given leaf that matches the leaves.
Vouches: TypeAlias = Callable[[Verifier, int], bool]


class KeyChain:
    """The keys the log's own events introduce, in log order, with the leaf introducing each."""

    def __init__(self) -> None:
        self.links: list[tuple[int, Verifier]] = []

    def note(self, position: int, kind: str, public: dict[str, Any]) -> str | None:
        """Add the key a ``log.created`` or ``log.key_rotated`` event introduces.

        Returns what is wrong with the event, if anything. A key that does not parse is left
        out of the chain; a misplaced creation or a rotation from the wrong key is named but
        its key still joins the chain, as the log recorded it.
        """
        named = public.get("vkey" if kind == EventType.LOG_CREATED else "new_vkey")
        try:
            verifier = parse_vkey(named if isinstance(named, str) else "")
        except SignatureError as error:
            return f"the key it introduces: {error}"
        previous = self.links[-1][1].vkey if self.links else None
        self.links.append((position, verifier))
        if kind == EventType.LOG_CREATED and position != 0:
            return "a log is created once, at leaf 0; this names a new key"
        if kind == EventType.LOG_KEY_ROTATED and public.get("old_vkey") != previous:
            return (
                f"the rotation replaces key {public.get('old_vkey')}, but the log's key at "
                f"that point is {previous}"
            )
        return None

    def periods(self) -> list[KeyedPeriod]:
        """The keys the log records (first key, then each rotation) with the sizes each signs.

        A key introduced by the event at leaf ``r`` signs trees of ``r + 1`` leaves up to the
        tree holding its successor's event (both keys sign that hand-over), as the log exports.
        """
        chain = self.links
        periods = []
        for position, (index, verifier) in enumerate(chain):
            end = chain[position + 1][0] + 1 if position + 1 < len(chain) else None
            periods.append((KeyPeriod(verifier.vkey, index + 1, end), verifier))
        return periods


@dataclass(frozen=True)
class RotationEvidence:
    """The signed notes and the leaves a key's vouching is checked against."""

    notes: Sequence[str]
    leaf_count: int
    root_at: Callable[[int], bytes]  # the root the leaves give for a tree of that size

    def vouches(self, verifier: Verifier, index: int) -> bool:
        """Whether ``verifier`` signed a checkpoint over leaf ``index`` that matches the leaves."""
        for note in self.notes:
            try:
                checkpoint = open_checkpoint(note, [verifier])
            except SignatureError:
                continue
            if index < checkpoint.size <= self.leaf_count and (
                self.root_at(checkpoint.size) == checkpoint.root
            ):
                return True
        return False


@dataclass(frozen=True)
class KeySelection:
    """The keys checkpoints may be signed with, and what the auditor's trust makes of them.

    ``anchored`` is true when the keys are ones the auditor trusts (pinned, or vouched for by a
    rotation a pinned key signed); false when no key the auditor trusts is in the log's history
    and the bundle's own keys are used, to check integrity only.
    """

    keys: list[KeyedPeriod]
    problems: list[str]
    trusted: tuple[str, ...]
    untrusted: tuple[str, ...]
    anchored: bool


def signing_keys(
    bundle_keys: Sequence[KeyPeriod],
    trusted_vkeys: Sequence[str],
    chain: KeyChain,
    vouches: Vouches,
) -> KeySelection:
    """The keys checkpoints may be signed with, each with its sizes, and the problems found.

    With ``trusted_vkeys`` naming a key of the log's history (or a log that records none),
    only pinned keys and the logged keys they vouch for are kept: any other key of the bundle
    is a problem. Otherwise the bundle's keys are used, held to the log's own record, and the
    selection is not anchored: with no trusted key that is all there is to say, while trusted
    keys none of which the log uses contradict the bundle, a problem. Raises
    ``SignatureError`` for a malformed trusted vkey.
    """
    keys, problems = parse_bundle_keys(bundle_keys)
    logged = chain.periods()
    history = list(dict.fromkeys([*(v for _, v in logged), *(v for _, v in keys)]))
    pinned = [parse_vkey(vkey) for vkey in trusted_vkeys]
    vouched = follow_key_history(pinned, logged, vouches)
    trusted = list(dict.fromkeys([*pinned, *(v for _, v in vouched)]))
    if not pinned or (history and not any(v in trusted for v in history)):
        problems += check_keys_are_logged(keys, logged)
        if pinned:  # the auditor named the log's key, and this log was signed by others
            problems.append(
                "this log was not signed by a key you trust: its keys are "
                + ", ".join(v.vkey for v in history)
                + ", and no rotation signed by a key you trust vouches for them"
            )
        return KeySelection(
            keys=keys,
            problems=problems,
            trusted=(),
            untrusted=tuple(v.vkey for v in history),
            anchored=False,
        )
    untrusted = [v for v in history if v not in trusted]
    problems += [
        f"the log's key {verifier.vkey} is not one you trust: no rotation signed by a key you "
        "trust vouches for it"
        for verifier in untrusted
    ]
    # The sizes a key signs come from the log's own (signed) record when it has one.
    periods = {verifier: period for period, verifier in logged}
    listed = {verifier: period for period, verifier in keys}
    kept = [
        (periods.get(v, listed.get(v, KeyPeriod(v.vkey))), v)
        for v in [*(v for v in history if v in trusted), *(v for v in trusted if v not in history)]
    ]
    return KeySelection(
        keys=kept,
        problems=problems,
        trusted=tuple(v.vkey for v in trusted if v in history or not history),
        untrusted=tuple(v.vkey for v in untrusted),
        anchored=True,
    )


def key_list_problems(bundle_keys: Sequence[KeyPeriod], chain: KeyChain) -> list[str]:
    """Where the bundle's key list differs from the history the log's own key events define.

    A log without key events (older exports) has nothing to compare with.
    """
    logged = [period for period, _ in chain.periods()]
    if not logged:
        return []
    if len(bundle_keys) != len(logged):
        return [
            f"the bundle lists {len(bundle_keys)} keys; the log's key events define {len(logged)}"
        ]
    return [
        f"key {number} is {_describe(listed)}, but the log's key events define {_describe(defined)}"
        for number, (listed, defined) in enumerate(zip(bundle_keys, logged, strict=True), start=1)
        if listed != defined
    ]


def _describe(period: KeyPeriod) -> str:
    last = "open" if period.last_size is None else str(period.last_size)
    return f"{period.vkey} for sizes {period.first_size}-{last}"


def parse_bundle_keys(periods: Sequence[KeyPeriod]) -> tuple[list[KeyedPeriod], list[str]]:
    """The bundle's keys that parse, and a problem naming each one that does not."""
    keys = []
    problems = []
    for number, period in enumerate(periods, start=1):
        try:
            keys.append((period, parse_vkey(period.vkey)))
        except SignatureError as error:
            problems.append(f"key {number} in the bundle: {error}")
    return keys, problems


def check_keys_are_logged(keys: Sequence[KeyedPeriod], logged: Sequence[KeyedPeriod]) -> list[str]:
    """Without pinned keys, at least hold the bundle's keys to the log's own record."""
    recorded = {verifier for _, verifier in logged}
    if not recorded:
        return []  # a log without key events (older exports, tests): nothing to compare
    return [
        f"the bundle's key {period.vkey} is not one the log records "
        "(log.created or log.key_rotated)"
        for period, verifier in keys
        if verifier not in recorded
    ]


def follow_key_history(
    pinned: Sequence[Verifier], logged: Sequence[KeyedPeriod], vouches: Vouches
) -> list[KeyedPeriod]:
    """The logged keys a pinned key vouches for, directly or through a chain of rotations.

    Neighbours in the key history vouch for each other once either one has signed a
    checkpoint over the rotation event between them that matches the leaves: the log that
    key signed names the other key as its predecessor or successor.
    """
    accepted = {verifier for _, verifier in logged if verifier in pinned}
    grown = True
    while grown:
        grown = False
        for (_, earlier), (later_period, later) in itertools.pairwise(logged):
            rotation = later_period.first_size - 1
            for known, other in ((earlier, later), (later, earlier)):
                if known in accepted and other not in accepted and vouches(known, rotation):
                    accepted.add(other)
                    grown = True
    return [(period, verifier) for period, verifier in logged if verifier in accepted]
