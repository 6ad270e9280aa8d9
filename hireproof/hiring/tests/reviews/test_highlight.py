"""The evidence highlight: exact HTML, escaping, merged and out-of-place spans."""

from __future__ import annotations

from hireproof.core.scoring import Evidence
from hireproof.hiring.reads.highlight import evidence_spans, highlight_evidence


def test_it_marks_the_evidence_and_escapes_everything_around_it() -> None:
    answer = 'It is <141> & "obviously" wrong'
    html = highlight_evidence(answer, [Evidence("141", 7, 10)])
    assert html == "It is &lt;<mark>141</mark>&gt; &amp; &quot;obviously&quot; wrong"


def test_it_escapes_the_marked_text_too() -> None:
    assert highlight_evidence("a<b>c", [Evidence("<b>", 1, 4)]) == "a<mark>&lt;b&gt;</mark>c"


def test_it_marks_several_spans_in_order_whatever_order_they_come_in() -> None:
    html = highlight_evidence("70 or 100", [Evidence("100", 6, 9), Evidence("70", 0, 2)])
    assert html == "<mark>70</mark> or <mark>100</mark>"


def test_overlapping_and_touching_spans_become_one_mark() -> None:
    evidence = [Evidence("data qual", 0, 9), Evidence("quality", 5, 12), Evidence(" ok", 12, 15)]
    assert evidence_spans("data quality ok", evidence) == [(0, 15)]
    assert highlight_evidence("data quality ok", evidence) == "<mark>data quality ok</mark>"


def test_evidence_that_does_not_match_the_answer_is_not_marked() -> None:
    evidence = [Evidence("141", 0, 3), Evidence("45", 20, 22), Evidence("", 2, 2)]
    assert evidence_spans("45 and 141", evidence) == []
    assert highlight_evidence("45 and 141", evidence) == "45 and 141"


def test_offsets_count_characters_not_bytes() -> None:
    answer = "Âge: ７０ ans"
    assert highlight_evidence(answer, [Evidence("７０", 5, 7)]) == "Âge: <mark>７０</mark> ans"


def test_an_empty_answer_is_empty() -> None:
    assert highlight_evidence("", []) == ""
