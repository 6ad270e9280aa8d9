"""A playbook's hash covers its content, not how the YAML is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hireproof.core.canonical import canonical_json, sha256_hex
from hireproof.core.playbook import (
    canonical_form,
    load_builtin,
    playbook_hash,
    playbook_to_dict,
)
from hireproof.core.playbook.identity import decimal_text

from .sample import SAMPLE, load_sample, sample_with

# Changing the built-in's content must change its version too; then update this pin.
DATA_SCIENTIST_MID_HASH = "f10faef43521b324a022592392f9cc72acba1537fb1e9b0369d37bdaf5a22739"

REWRITTEN = """\
# The same playbook, written differently: comments, key order, block and flow styles, quoting.
decision:
  summary: "Numbers decide."
  no_hire_below_combined: "60"
  hire_min_combined: 75.0
  interview_weight: 0.60
  test_weight: "0.40"
  red_flags:
    warning: Reviewed.
    critical: Disqualifies.
  bands: [{min_percent: 80, verdict: strong_pass}, {min_percent: 0, verdict: fail}]
"""


def _rewritten() -> str:
    body = SAMPLE[: SAMPLE.index("decision:\n")]
    return REWRITTEN + body.replace("title: Tiny playbook", "title: 'Tiny playbook'  # quoted")


def test_the_loaded_playbook_carries_the_hash_of_its_canonical_form() -> None:
    playbook = load_sample()
    assert playbook.hash == sha256_hex(canonical_json(canonical_form(playbook)))
    assert playbook.hash == playbook_hash(playbook)


def test_formatting_comments_and_key_order_do_not_change_the_hash() -> None:
    assert load_sample(_rewritten()).hash == load_sample().hash


def test_changing_a_key_changes_the_hash() -> None:
    changed = sample_with(
        'key: 4\n      examples: {accept: ["4"], reject: ["5"]}',
        'key: 5\n      examples: {accept: ["5"], reject: ["4"]}',
    )
    assert load_sample(changed).hash != load_sample().hash


def test_changing_prose_changes_the_hash() -> None:
    assert load_sample(sample_with("Tell us a story.", "Tell us a tale.")).hash != (
        load_sample().hash
    )


@settings(deadline=None, max_examples=25)  # each example loads four playbooks
@given(st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=1, max_value=10**6))
def test_a_key_is_hashed_by_its_value_not_its_spelling(key: Decimal) -> None:
    def with_key(text: str) -> str:
        return sample_with("key: 4\n", f"key: {text}\n").replace('accept: ["4"], reject: ["5"]', "")

    assert load_sample(with_key(str(key))).hash == load_sample(with_key(f"{key}000")).hash
    assert load_sample(with_key(str(key))).hash != load_sample(with_key(str(key + 1))).hash


def test_the_canonical_form_is_plain_json_without_the_hash() -> None:
    form = canonical_form(load_sample())
    assert "hash" not in form
    assert form["decision"]["test_weight"] == "0.4"
    assert form["assessment"]["items"][2]["rule"] == {
        "all_of": [
            {
                "contains_number": {
                    "value": "99",
                    "tolerance": {"kind": "relative", "value": "0.01"},
                }
            },
            {"any_of": [{"contains_phrase": ["outlier", "error"]}, {"regex": "wrong"}]},
            {"none_of": [{"contains_phrase": ["not"]}]},
        ]
    }
    assert form["assessment"]["items"][1]["options"][0] == {
        "id": "A",
        "text": "Lie.",
        "red_flag": {"severity": "critical", "reason": "Dishonest."},
    }


def test_the_dict_export_is_the_canonical_form_plus_the_hash() -> None:
    playbook = load_sample()
    assert playbook_to_dict(playbook) == canonical_form(playbook) | {"hash": playbook.hash}


@pytest.mark.parametrize(
    ("value", "text"),
    [("70.0", "70"), ("0.40", "0.4"), ("-0.00", "0"), ("1E+1", "10"), ("1210", "1210")],
)
def test_decimals_are_written_in_their_shortest_exact_form(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text


def test_the_builtin_hash_is_pinned() -> None:
    assert load_builtin("data-scientist-mid").hash == DATA_SCIENTIST_MID_HASH
