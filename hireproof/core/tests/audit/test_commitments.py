"""Per-field salted commitments (design note 6.3)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hireproof.core.audit.commitments import (
    Opening,
    commit_fields,
    data_key,
    field_salt,
    open_field,
    opening_problem,
    verify_opening,
)
from hireproof.core.errors import AuditError

SECRET = bytes(range(32))
ANSWERS = {"q1": "70", "q2": "B"}


def test_the_salt_is_the_notes_hmac_over_nonce_and_field() -> None:
    expected = hmac.new(SECRET, b"assess/v1/salt42\x00answers", hashlib.sha256).digest()
    assert field_salt(SECRET, "42", "answers") == expected


def test_the_commitment_is_the_notes_sha256_over_salt_and_canonical_value() -> None:
    salt = field_salt(SECRET, "42", "answers")
    expected = hashlib.sha256(b"assess/v1/commit\x00" + salt + b'{"q1":"70","q2":"B"}').hexdigest()
    assert commit_fields(SECRET, "42", {"answers": ANSWERS}) == {"answers": expected}


def test_an_opening_opens_its_own_commitment() -> None:
    commitments = commit_fields(SECRET, "42", {"answers": ANSWERS, "email": "ada@example.org"})
    opening = open_field(SECRET, "42", "answers", ANSWERS)
    verify_opening(commitments["answers"], opening)
    # One spelling of a commitment: upper-case hex does not open.
    assert opening_problem(commitments["answers"].upper(), opening) == "commitment does not open"


def test_opening_one_field_reveals_nothing_that_opens_another() -> None:
    commitments = commit_fields(SECRET, "42", {"answers": ANSWERS, "email": "ada@example.org"})
    answers_opening = open_field(SECRET, "42", "answers", ANSWERS)
    borrowed = Opening("email", "ada@example.org", answers_opening.salt_hex)
    with pytest.raises(AuditError, match="field email: commitment does not open"):
        verify_opening(commitments["email"], borrowed)


def test_the_same_value_commits_differently_in_each_event_and_field() -> None:
    first = commit_fields(SECRET, "1", {"a": "70", "b": "70"})
    second = commit_fields(SECRET, "2", {"a": "70"})
    assert len({first["a"], first["b"], second["a"]}) == 3


@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=10,
    )
)
def test_any_json_value_opens_and_any_other_value_does_not(value: object) -> None:
    commitment = commit_fields(SECRET, "7", {"f": value})["f"]
    opening = open_field(SECRET, "7", "f", value)
    verify_opening(commitment, opening)
    assert opening_problem(commitment, Opening("f", [value], opening.salt_hex)) == (
        "commitment does not open"
    )


@pytest.mark.parametrize(
    ("opening", "problem"),
    [
        (Opening("f", "x", "zz"), "the salt is not 64 lower-case hex digits"),
        (Opening("f", "x", "abcd"), "the salt is not 64 lower-case hex digits"),
        (Opening("f", "x", "AB" * 32), "the salt is not 64 lower-case hex digits"),
        (Opening("f", 0.5, "00" * 32), "the value cannot be hashed"),
        (Opening("f", 2**60, "00" * 32), "the value cannot be hashed"),
        (Opening("f", "x", "00" * 32), "commitment does not open"),
    ],
)
def test_it_says_why_an_opening_fails(opening: Opening, problem: str) -> None:
    found = opening_problem("é" * 64, opening)
    assert found is not None
    assert found.startswith(problem)
    with pytest.raises(AuditError, match=f"field f: {problem}"):
        verify_opening("é" * 64, opening)


def test_an_opening_round_trips_through_its_json_form() -> None:
    opening = open_field(SECRET, "3", "answers", ANSWERS)
    assert opening.to_dict() == {"field": "answers", "value": ANSWERS, "salt": opening.salt_hex}
    assert Opening.from_dict(opening.to_dict()) == opening


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "an opening must be an object"),
        ({"field": "a", "value": 1}, "an opening must be an object"),
        ({"field": 1, "value": 1, "salt": "00"}, "field and salt must be strings"),
        ({"field": "a", "value": 1, "salt": None}, "field and salt must be strings"),
    ],
)
def test_it_refuses_a_malformed_opening(data: object, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        Opening.from_dict(data)


def test_the_data_key_is_hkdf_of_the_same_secret() -> None:
    key = data_key(SECRET)
    assert len(key) == 32
    assert key != data_key(bytes(32))
    assert key == data_key(SECRET)


@pytest.mark.parametrize("call", [lambda: field_salt(b"short", "1", "f"), lambda: data_key(b"")])
def test_it_refuses_a_secret_that_is_not_32_bytes(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="a subject secret is 32 bytes"):
        call()
