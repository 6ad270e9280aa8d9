"""The log's key history on its own: the chain of logged keys, vouching, and the keys accepted."""

from __future__ import annotations

import pytest

from hireproof.core.audit.bundle import KeyPeriod
from hireproof.core.audit.checkpoint import Verifier, signer_from_key_bytes
from hireproof.core.audit.events import EventType
from hireproof.core.audit.keyhistory import (
    KEY_EVENTS,
    KeyChain,
    RotationEvidence,
    check_keys_are_logged,
    follow_key_history,
    key_list_problems,
    parse_bundle_keys,
    signing_keys,
)
from hireproof.core.audit.merkle import MemorySource, leaf_hash
from hireproof.core.errors import SignatureError

from .builders import ORIGIN, OTHER_KEY, SIGNER, checkpoints_for, plain_leaves

FIRST = SIGNER.verifier
SECOND = signer_from_key_bytes(ORIGIN, OTHER_KEY).verifier
THIRD = signer_from_key_bytes(ORIGIN, bytes(range(1, 33))).verifier
LEAVES = plain_leaves(6)
TREE = MemorySource([leaf_hash(leaf) for leaf in LEAVES])


def chain_of(*links: tuple[int, Verifier]) -> KeyChain:
    """A chain built from honest key events: created at the first position, then rotations."""
    chain = KeyChain()
    previous: Verifier | None = None
    for position, verifier in links:
        if previous is None:
            problem = chain.note(position, EventType.LOG_CREATED, {"vkey": verifier.vkey})
        else:
            rotation = {"old_vkey": previous.vkey, "new_vkey": verifier.vkey}
            problem = chain.note(position, EventType.LOG_KEY_ROTATED, rotation)
        assert problem is None
        previous = verifier
    return chain


def never(verifier: Verifier, index: int) -> bool:
    return False


def always(verifier: Verifier, index: int) -> bool:
    return True


def test_the_key_events_are_log_creation_and_key_rotation() -> None:
    assert sorted(KEY_EVENTS) == ["log.created", "log.key_rotated"]


def test_each_logged_key_signs_from_its_event_up_to_its_successors_hand_over() -> None:
    chain = chain_of((0, FIRST), (4, SECOND), (9, THIRD))
    assert chain.periods() == [
        (KeyPeriod(FIRST.vkey, 1, 5), FIRST),
        (KeyPeriod(SECOND.vkey, 5, 10), SECOND),
        (KeyPeriod(THIRD.vkey, 10, None), THIRD),
    ]


def test_an_empty_chain_records_no_keys() -> None:
    assert KeyChain().periods() == []


def test_a_key_event_naming_no_key_is_left_out_of_the_chain() -> None:
    chain = KeyChain()
    assert chain.note(0, EventType.LOG_CREATED, {"vkey": 7}) == (
        "the key it introduces: the vkey '' is not name+keyid+key"
    )
    assert chain.links == []


def test_a_second_creation_is_named_but_its_key_joins_the_chain() -> None:
    chain = chain_of((0, FIRST))
    assert chain.note(3, EventType.LOG_CREATED, {"vkey": SECOND.vkey}) == (
        "a log is created once, at leaf 0; this names a new key"
    )
    assert chain.links == [(0, FIRST), (3, SECOND)]


def test_a_rotation_from_the_wrong_key_is_named_but_its_key_joins_the_chain() -> None:
    chain = chain_of((0, FIRST))
    rotation = {"old_vkey": THIRD.vkey, "new_vkey": SECOND.vkey}
    assert chain.note(2, EventType.LOG_KEY_ROTATED, rotation) == (
        f"the rotation replaces key {THIRD.vkey}, but the log's key at that point is {FIRST.vkey}"
    )
    assert chain.links == [(0, FIRST), (2, SECOND)]


def test_a_rotation_before_any_creation_names_no_previous_key() -> None:
    rotation = {"old_vkey": FIRST.vkey, "new_vkey": SECOND.vkey}
    assert KeyChain().note(0, EventType.LOG_KEY_ROTATED, rotation) == (
        f"the rotation replaces key {FIRST.vkey}, but the log's key at that point is None"
    )


def test_a_malformed_bundle_key_is_named_by_its_number() -> None:
    keys, problems = parse_bundle_keys([KeyPeriod(FIRST.vkey), KeyPeriod("nonsense")])
    assert keys == [(KeyPeriod(FIRST.vkey), FIRST)]
    assert problems == ["key 2 in the bundle: the vkey 'nonsense' is not name+keyid+key"]


def test_bundle_keys_the_log_does_not_record_are_named() -> None:
    logged = chain_of((0, FIRST)).periods()
    keys = [(KeyPeriod(FIRST.vkey), FIRST), (KeyPeriod(SECOND.vkey), SECOND)]
    assert check_keys_are_logged(keys, logged) == [
        f"the bundle's key {SECOND.vkey} is not one the log records "
        "(log.created or log.key_rotated)"
    ]


def test_a_log_without_key_events_holds_no_bundle_key_to_account() -> None:
    assert check_keys_are_logged([(KeyPeriod(SECOND.vkey), SECOND)], []) == []


def test_a_pinned_key_vouches_along_the_chain_in_both_directions() -> None:
    logged = chain_of((0, FIRST), (4, SECOND), (9, THIRD)).periods()
    asked: list[tuple[str, int]] = []

    def vouches(verifier: Verifier, index: int) -> bool:
        asked.append((verifier.vkey, index))
        return True

    assert follow_key_history([SECOND], logged, vouches) == logged
    assert sorted(asked) == sorted([(SECOND.vkey, 4), (SECOND.vkey, 9)])


def test_a_key_that_never_vouches_leaves_only_itself_accepted() -> None:
    logged = chain_of((0, FIRST), (4, SECOND)).periods()
    assert follow_key_history([FIRST], logged, never) == logged[:1]


def test_a_pinned_key_the_log_does_not_record_vouches_for_nothing() -> None:
    logged = chain_of((0, FIRST), (4, SECOND)).periods()
    assert follow_key_history([THIRD], logged, always) == []


def test_without_pinned_keys_the_bundles_keys_are_kept_held_to_the_log_and_not_anchored() -> None:
    chain = chain_of((0, FIRST))
    bundle_keys = [KeyPeriod(FIRST.vkey), KeyPeriod(SECOND.vkey, 3)]
    selection = signing_keys(bundle_keys, [], chain, never)
    assert selection.keys == [(KeyPeriod(FIRST.vkey), FIRST), (KeyPeriod(SECOND.vkey, 3), SECOND)]
    assert selection.problems == [
        f"the bundle's key {SECOND.vkey} is not one the log records "
        "(log.created or log.key_rotated)"
    ]
    assert (selection.anchored, selection.trusted) == (False, ())
    assert selection.untrusted == (FIRST.vkey, SECOND.vkey)


def test_a_pinned_key_the_log_never_uses_is_a_problem_and_leaves_it_unanchored() -> None:
    selection = signing_keys([KeyPeriod(SECOND.vkey)], [THIRD.vkey], chain_of((0, SECOND)), always)
    assert selection.keys == [(KeyPeriod(SECOND.vkey), SECOND)]
    assert (selection.anchored, selection.untrusted, selection.problems) == (
        False,
        (SECOND.vkey,),
        [
            f"this log was not signed by a key you trust: its keys are {SECOND.vkey}, and no "
            "rotation signed by a key you trust vouches for them"
        ],
    )


def test_without_a_pinned_key_the_bundles_keys_are_unanchored_without_a_problem() -> None:
    selection = signing_keys([KeyPeriod(SECOND.vkey)], [], chain_of((0, SECOND)), always)
    assert (selection.anchored, selection.problems) == (False, [])


def test_pinned_keys_keep_the_logs_periods_and_refuse_untrusted_bundle_keys() -> None:
    chain = chain_of((0, FIRST), (4, SECOND))
    bundle_keys = [KeyPeriod("nonsense"), KeyPeriod(FIRST.vkey), KeyPeriod(THIRD.vkey)]
    selection = signing_keys(bundle_keys, [FIRST.vkey], chain, always)
    assert selection.keys == [
        (KeyPeriod(FIRST.vkey, 1, 5), FIRST),
        (KeyPeriod(SECOND.vkey, 5, None), SECOND),
    ]
    assert selection.problems == [
        "key 1 in the bundle: the vkey 'nonsense' is not name+keyid+key",
        f"the log's key {THIRD.vkey} is not one you trust: no rotation signed by a key you "
        "trust vouches for it",
    ]
    assert selection.anchored
    assert (selection.trusted, selection.untrusted) == ((FIRST.vkey, SECOND.vkey), (THIRD.vkey,))


def test_a_pinned_key_neither_logged_nor_listed_may_sign_any_size() -> None:
    selection = signing_keys([], [THIRD.vkey], KeyChain(), never)
    assert (selection.keys, selection.problems) == ([(KeyPeriod(THIRD.vkey), THIRD)], [])
    assert (selection.anchored, selection.trusted) == (True, (THIRD.vkey,))


def test_the_key_list_is_held_to_the_logs_key_events() -> None:
    chain = chain_of((0, FIRST), (4, SECOND))
    honest = [KeyPeriod(FIRST.vkey, 1, 5), KeyPeriod(SECOND.vkey, 5, None)]
    assert key_list_problems(honest, chain) == []
    assert key_list_problems(honest[:1], chain) == [
        "the bundle lists 1 keys; the log's key events define 2"
    ]
    assert key_list_problems([honest[0], KeyPeriod(SECOND.vkey, 5, 9)], chain) == [
        f"key 2 is {SECOND.vkey} for sizes 5-9, but the log's key events define "
        f"{SECOND.vkey} for sizes 5-open"
    ]
    assert key_list_problems([KeyPeriod(THIRD.vkey)], KeyChain()) == []


def test_a_malformed_pinned_key_is_raised() -> None:
    with pytest.raises(SignatureError, match="'nonsense' is not name\\+keyid\\+key"):
        signing_keys([], ["nonsense"], KeyChain(), never)


def evidence(notes: tuple[str, ...], leaf_count: int = 6) -> RotationEvidence:
    return RotationEvidence(notes=notes, leaf_count=leaf_count, root_at=TREE.root)


def test_a_key_vouches_with_a_matching_checkpoint_past_the_rotation() -> None:
    assert evidence(checkpoints_for(LEAVES, [5])).vouches(FIRST, 4)


@pytest.mark.parametrize(
    ("sizes", "leaf_count", "index"),
    [
        ([4], 6, 4),  # the checkpoint stops before the rotation event
        ([6], 5, 4),  # the checkpoint is larger than the leaves held
    ],
    ids=["before the rotation", "past the leaves"],
)
def test_a_key_does_not_vouch_without_a_checkpoint_covering_the_rotation(
    sizes: list[int], leaf_count: int, index: int
) -> None:
    assert not evidence(checkpoints_for(LEAVES, sizes), leaf_count).vouches(FIRST, index)


def test_a_key_does_not_vouch_with_a_checkpoint_another_key_signed() -> None:
    assert not evidence(checkpoints_for(LEAVES, [5])).vouches(SECOND, 4)


def test_a_key_does_not_vouch_with_a_checkpoint_that_does_not_match_the_leaves() -> None:
    other = [*LEAVES[:2], LEAVES[3], *LEAVES[3:]]  # leaf 2 replaced under the signed size
    assert not evidence(checkpoints_for(other, [5])).vouches(FIRST, 4)
