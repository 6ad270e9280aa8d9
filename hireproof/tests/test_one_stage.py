"""One stage, read three ways: rule 7 of docs/architecture.md.

For every candidate of the demo opening (every stage but the instant "submitted") and the
candidate links at each point of the attempt, the stage the database annotates (``with_stage``),
the stage of one candidate (``stage_of``), the pipeline page's stage filter and its counts, and
the openings list's counts all say the same.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from hireproof.hiring.demo.loader import DemoReport
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.stage import Stage, stage_in, stage_of, with_stage
from hireproof.hiring.reads.pipeline import PipelineQuery, read_pipeline, stage_counts_by_opening
from hireproof.tests.site import links


def test_the_filter_the_counts_and_each_candidate_s_stage_agree(demo: DemoReport) -> None:
    links(demo)
    opening, now = demo.opening, timezone.now()
    annotated = {
        candidate.pk: stage_in(candidate)
        for candidate in with_stage(Candidate.objects.filter(opening=opening), now)
    }
    one_by_one = {
        candidate.pk: stage_of(candidate, now)
        for candidate in Candidate.objects.filter(opening=opening)
    }
    assert one_by_one == annotated
    # Each candidate is kept by the filter of their stage, and by no other (on one page: the
    # page size is the opening's size).
    size = len(annotated)
    filtered = [
        (row.candidate.pk, stage)
        for stage in Stage
        for row in read_pipeline(
            opening, PipelineQuery.from_params({"status": stage.value}), now, size=size
        ).rows
    ]
    assert sorted(filtered) == sorted(annotated.items())
    expected = Counter(annotated.values())
    counted = read_pipeline(opening, PipelineQuery(), now, size=size).counts
    assert dict(counted) == {stage: expected[stage] for stage in Stage}
    listed = stage_counts_by_opening([opening], now)[opening.pk]
    assert {Stage(stage): count for stage, count in listed.items()} == dict(expected)
    # Every stage but the instant "submitted" has someone, so each reading was put to work.
    assert set(expected) == set(Stage) - {Stage.SUBMITTED}
