"""Normalisation (NFKC, case folding, whitespace) and its map back into the original answer."""

from __future__ import annotations

from hireproof.core.scoring import Evidence, normalise


def test_plain_ascii_is_lower_cased_without_an_offset_map() -> None:
    text = normalise("The Result is 70")
    assert text.text == "the result is 70"
    assert text.starts is None
    assert text.evidence(4, 10) == Evidence("Result", 4, 10)


def test_it_collapses_whitespace_runs_and_trims_the_ends() -> None:
    text = normalise("  Data \t\n entry  ")
    assert text.text == "data entry"
    assert text.evidence(0, 10) == Evidence("Data \t\n entry", 2, 15)


def test_it_applies_nfkc_and_case_folding() -> None:
    assert normalise("STRASSE Stra\u00dfe \ufb01le \uff21").text == "strasse strasse file a"


def test_a_character_that_expands_maps_back_to_itself() -> None:
    text = normalise("Stra\u00dfe")
    assert text.text == "strasse"
    assert text.evidence(4, 6) == Evidence("\u00df", 4, 5)


def test_a_combining_mark_stays_with_its_base_character() -> None:
    text = normalise("Cafe\u0301 70")
    assert text.text == "caf\u00e9 70"
    assert text.evidence(3, 4) == Evidence("e\u0301", 3, 5)
    assert text.evidence(5, 7) == Evidence("70", 6, 8)


def test_a_leading_combining_mark_starts_its_own_cluster() -> None:
    assert normalise("\u0301a").text == "\u0301a"


def test_no_break_spaces_count_as_whitespace() -> None:
    assert normalise("a\u00a0\u00a0b ").text == "a b"


def test_whitespace_only_normalises_to_nothing() -> None:
    assert normalise(" \u3000 ").text == ""
