"""Signed leaves must be canonical JSON (RFC 8785): one value, one encoding.

The verifier's fast path decodes and re-encodes leaves in C; anything it does not accept goes to
the slow path, which re-encodes with rfc8785 and names the problem. These tests hold the two to
each other: whatever the bytes, a leaf passes exactly when it is the canonical encoding of a
well-formed event, and a failure names the leaf.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hireproof.core.audit.bundle import KeyPeriod
from hireproof.core.audit.events import EventType, canonical_problem, parse_leaf
from hireproof.core.audit.report import Report
from hireproof.core.audit.verify import verify_bundle
from hireproof.core.canonical import canonical_json
from hireproof.core.errors import AuditError

from .builders import SIGNER, event_leaf, make_bundle, plain_leaves

RECORD: dict[str, Any] = json.loads(event_leaf(2))


def verify_with(leaf: bytes, position: int = 2) -> Report:
    """A log of five leaves, signed by the log with ``leaf`` at ``position``."""
    leaves = plain_leaves(5)
    leaves[position] = leaf
    return verify_bundle(make_bundle(leaves), trusted_vkeys=[SIGNER.verifier.vkey])


def failures_at(report: Report, position: int) -> list[str]:
    return [f.message for f in report.failures if f.leaf_index == position]


def with_public(public: Any) -> dict[str, Any]:
    return {**RECORD, "public": public}


def raw(record: dict[str, Any], **dumps: Any) -> bytes:
    dumps.setdefault("separators", (",", ":"))
    dumps.setdefault("sort_keys", True)
    dumps.setdefault("ensure_ascii", False)
    return json.dumps(record, **dumps).encode()


NOT_CANONICAL = "the leaf is not canonical JSON (RFC 8785): "
DIFFERS = "its bytes differ from the canonical encoding from byte {} on"

SIGNED_VARIANTS: dict[str, tuple[bytes, str]] = {
    "a duplicate key": (
        event_leaf(2).replace(b'{"actor":"staff:7",', b'{"actor":"staff:9","actor":"staff:7",'),
        "the key 'actor' appears twice in one object",
    ),
    "a duplicate key inside public": (
        event_leaf(2).replace(b'"public":{', b'"public":{"attempt":"att_9",'),
        "the key 'attempt' appears twice in one object",
    ),
    "keys out of order": (raw(dict(reversed(RECORD.items())), sort_keys=False), DIFFERS.format(2)),
    "public keys out of order": (
        raw(with_public({"item": "q2", "attempt": "att_1"}), sort_keys=False),
        DIFFERS.format(92),
    ),
    "spaces between tokens": (raw(RECORD, separators=(", ", ": ")), DIFFERS.format(9)),
    "a needless escape": (event_leaf(2).replace(b"staff:7", b"staff:\\u0037"), DIFFERS.format(16)),
    "an escaped slash": (raw(with_public({"attempt": "a/b"})).replace(b"/", b"\\/"), ""),
    "a non-ASCII character escaped": (raw(with_public({"who": "\u00e9"}), ensure_ascii=True), ""),
    "upper-case escape hex": (raw(with_public({"c": "\x1f"})).replace(b"001f", b"001F"), ""),
    "NaN": (raw(with_public({"score": float("nan")})), "NaN is not a number"),
    "Infinity": (raw(with_public({"score": float("inf")})), "Infinity is not a number"),
    "a float": (raw(with_public({"score": 1.5})), "the number 1.5 has a fraction"),
    "a whole float": (raw(with_public({"score": 2.0})), "the number 2.0 has a fraction"),
    "an exponent": (raw(with_public({"score": 7})).replace(b"7}", b"7e0}"), "7e0 has a fraction"),
    "minus zero": (raw(with_public({"score": 0})).replace(b":0}", b":-0}"), ""),
    "an integer past 2**53 - 1": (
        raw(with_public({"count": 2**53})),
        "9007199254740992 exceeds safe integer domain",
    ),
    "a negative integer past -(2**53 - 1)": (
        raw(with_public({"count": -(2**53)})),
        "exceeds safe integer domain",
    ),
    "a lone surrogate": (raw(with_public({"n": "x"})).replace(b'"x"', b'"\\ud800"'), "UTF-8"),
    "UTF-16 bytes": (
        json.dumps(RECORD, separators=(",", ":"), sort_keys=True).encode("utf-16"),
        "",
    ),
    "a byte-order mark": (b"\xef\xbb\xbf" + event_leaf(2), ""),
    "a trailing newline escape": (event_leaf(2) + b"\r", DIFFERS.format(len(event_leaf(2)))),
}


@pytest.mark.parametrize("case", sorted(SIGNED_VARIANTS))
def test_a_signed_leaf_that_is_not_canonical_fails_naming_the_leaf(case: str) -> None:
    leaf, detail = SIGNED_VARIANTS[case]
    report = verify_with(leaf)
    assert str(report.result) == "FAILED"
    [message] = failures_at(report, 2)
    assert detail in message
    assert message.startswith(NOT_CANONICAL) or "not valid JSON" in message


@pytest.mark.parametrize(
    "public",
    [
        {"note": 'two words, "quoted"'},  # an escape: the fast path leaves it to the slow one
        {"who": "Zo\u00eb \u6771\u4eac \U0001f600"},  # non-ASCII, written as UTF-8
        {"\ue000": 1, "\U0001f600": 2},  # sorted by UTF-16 code units, not code points
        {"quote": 'say "hi"\\', "control": "\x01\n\t"},  # escapes RFC 8785 requires
        {"deep": {"a": {"b": {"c": [1, {"d": None}]}}}},  # deeper than the fast path reads
        {"big": 2**53 - 1, "small": -(2**53 - 1), "flag": True, "none": None},
    ],
)
def test_canonical_leaves_the_fast_path_leaves_alone_verify(public: dict[str, Any]) -> None:
    leaf = canonical_json(with_public(public))
    assert canonical_problem(leaf) is None
    report = verify_with(leaf)
    assert report.failures == ()
    assert report.ok


def test_an_erasure_and_a_key_event_on_the_slow_path_still_count() -> None:
    leaves = plain_leaves(4)
    erasure = json.loads(event_leaf(2, EventType.SUBJECT_ERASED))
    erasure["public"] = {"basis": "art. 17 R\u00e8glement"}  # not ASCII: read on the slow path
    leaves[2] = canonical_json(erasure)
    created = {"origin": "example.com/audit-log-test", "vkey": SIGNER.verifier.vkey, "n": "\u00e9"}
    leaves[0] = event_leaf(0, EventType.LOG_CREATED, public=created, subject=None)
    bundle = make_bundle(
        leaves, keys=(KeyPeriod(SIGNER.verifier.vkey, 1),), erased_subjects=(erasure["subject"],)
    )
    report = verify_bundle(bundle, trusted_vkeys=[SIGNER.verifier.vkey])
    assert report.failures == ()
    assert report.erased_subjects == (erasure["subject"],)


# Any JSON value the log could be handed, floats and odd text included.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
ENCODINGS = st.fixed_dictionaries(
    {
        "sort_keys": st.booleans(),
        "ensure_ascii": st.booleans(),
        "separators": st.sampled_from([(",", ":"), (", ", ": "), (",", ": ")]),
    }
)


@settings(max_examples=300, deadline=None)
@given(public=st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=4), dumps=ENCODINGS)
def test_the_verifier_accepts_a_leaf_exactly_when_it_is_canonical(
    public: dict[str, Any], dumps: dict[str, Any]
) -> None:
    leaf = json.dumps(with_public(public), **dumps).encode("utf-8", "surrogatepass")
    try:
        parse_leaf(leaf)
        problem = canonical_problem(leaf)
    except AuditError as error:  # not even a well-formed event
        problem = str(error)
    report = verify_with(leaf)
    named = failures_at(report, 2)
    assert bool(named) == (problem is not None), (leaf, problem, named)
