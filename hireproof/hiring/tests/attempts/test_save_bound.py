"""What one attempt can write is bounded; the candidate's last text never is lost.

Saves of one item within ``ANSWER_COALESCE_SECONDS`` of its revision's first save are one
revision (one ``answer.saved`` leaf); an attempt records at most
``MAX_ANSWER_LEAVES_PER_ATTEMPT`` such leaves, whose sealed copies hold at most
``MAX_ANSWER_LOG_BYTES``. The stored answer is always the latest text. Late refusals and
integrity signals are bounded too, and an answer is at most ``MAX_ANSWER_CHARS`` characters as
typed and as compared.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hireproof.audit.models import LogLeaf, LogPrivate
from hireproof.hiring.actions.attempts import (
    ANSWER_COALESCE_SECONDS,
    MAX_ANSWER_CHARS,
    MAX_ANSWER_LEAVES_PER_ATTEMPT,
    MAX_ANSWER_LOG_BYTES,
    MAX_LATE_REFUSALS_PER_ATTEMPT,
    MAX_SIGNALS_PER_ATTEMPT,
    AnswerRefused,
    do_record_integrity_signal,
    do_save_answer,
    do_submit_attempt,
    sealed_size,
)
from hireproof.hiring.models.attempts import Answer, IntegritySignal, SignalKind, saved_answers
from hireproof.hiring.tests.attempts.conftest import Link, save, started

pytestmark = pytest.mark.django_db


def saved_leaves() -> int:
    return LogLeaf.objects.filter(event_type="answer.saved").count()


def test_401_saves_a_second_apart_make_one_leaf_per_window_and_keep_the_last_text(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    for n in range(401):
        response = save(candidate_client, grace, "cognitive-growth", f"draft {n}")
        assert response.status_code == 200
        clock.shift(timedelta(seconds=1))
    windows = -(-401 // ANSWER_COALESCE_SECONDS)  # one revision opened per window: 14
    assert saved_leaves() == windows
    answer = Answer.objects.get()
    assert answer.revision == windows
    assert saved_answers(attempt) == {"cognitive-growth": "draft 400"}
    do_submit_attempt(attempt)
    assert LogLeaf.objects.filter(event_type="attempt.scored").count() == 1


def test_saves_alternating_between_items_stop_at_the_cap_and_keep_the_last_texts(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    for n in range(MAX_ANSWER_LEAVES_PER_ATTEMPT + 21):
        item = "cognitive-growth" if n % 2 else "pandas-filter-sum"
        assert save(candidate_client, grace, item, str(n)).status_code == 200
        clock.shift(timedelta(seconds=1))
    last = MAX_ANSWER_LEAVES_PER_ATTEMPT + 20
    assert saved_leaves() == MAX_ANSWER_LEAVES_PER_ATTEMPT
    assert saved_answers(attempt) == {
        "pandas-filter-sum": str(last),
        "cognitive-growth": str(last - 1),
    }


def test_an_answer_longer_than_a_box_once_normalised_is_refused_and_nothing_saved(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    started(candidate_client, grace)
    # U+FDFA is one character as typed and eighteen as answers are compared.
    expanding = "\ufdfa" * (MAX_ANSWER_CHARS // 18 + 1)
    response = save(candidate_client, grace, "cognitive-growth", expanding)
    assert response.status_code == 400
    assert (
        f"This answer is {18 * len(expanding):,} characters long once ligatures and letters "
        "such as &quot;ß&quot; are written out, as answers are compared; the most a box takes "
        "is 10,000."
    ) in response.content.decode()
    assert not Answer.objects.exists()
    assert saved_leaves() == 0
    # As typed, the bound is the same.
    assert save(candidate_client, grace, "cognitive-growth", "x" * 10_001).status_code == 400
    assert save(candidate_client, grace, "cognitive-growth", "ß" * 5_000).status_code == 200
    assert save(candidate_client, grace, "cognitive-growth", "x" * 10_000).status_code == 200


# The most one leaf can be: canonical JSON of its public fields and commitments (the largest
# measured, the scored event's, is under 600 bytes; a save's or a signal's under 400).
MAX_LEAF_BYTES = 1_000
# The most the log keeps of one answer as a private field: 10,000 characters of JSON escapes
# (a control character is 6 bytes: "\u0001"), sealed.
WORST_ANSWER = "\x01" * MAX_ANSWER_CHARS
# Started, submitted, scored and the first recommendation: one each.
MAX_LEAVES = MAX_ANSWER_LEAVES_PER_ATTEMPT + MAX_LATE_REFUSALS_PER_ATTEMPT + 500 + 4


def test_what_one_attempt_writes_is_bounded_in_leaves_and_bytes(
    candidate_client: Client, grace: Link, clock: Any
) -> None:
    attempt = started(candidate_client, grace)
    subject = grace.subject
    items = ["cognitive-growth", "pandas-filter-sum", "outlier-ages"]  # free text
    # Saves of the longest, most expensive texts, rotating over the items (never coalesced).
    for n in range(300):
        text = WORST_ANSWER[:-1] + chr(0x1F600 + n)
        assert do_save_answer(attempt, items[n % 3], text, now=timezone.now()) is not None
        clock.shift(timedelta(seconds=1))
    for _ in range(MAX_SIGNALS_PER_ATTEMPT + 20):
        do_record_integrity_signal(attempt, SignalKind.FOCUS_LOST)
    clock.shift(attempt.deadline - timezone.now() + timedelta(minutes=5))  # past the grace
    for n in range(MAX_LATE_REFUSALS_PER_ATTEMPT + 5):
        with pytest.raises(AnswerRefused):
            do_save_answer(attempt, items[0], WORST_ANSWER[:-1] + str(n), now=timezone.now())
    attempt = do_submit_attempt(attempt)
    assert attempt.submitted_at is not None

    # Every leaf of the candidate's but the recruiter's "candidate.added".
    leaves = LogLeaf.objects.filter(subject=subject.pseudonym).exclude(event_type="candidate.added")
    by_kind = Counter(leaves.values_list("event_type", flat=True))
    assert by_kind == {
        "attempt.started": 1,
        # The bytes bound stops the saves first: each sealed copy is about 60 kB.
        "answer.saved": MAX_ANSWER_LOG_BYTES // sealed_size(WORST_ANSWER),
        "attempt.integrity_signal": MAX_SIGNALS_PER_ATTEMPT,
        "answer.refused_late": MAX_LATE_REFUSALS_PER_ATTEMPT,
        "attempt.auto_submitted": 1,
        "attempt.scored": 1,
        "recommendation.computed": 1,
    }
    assert sum(by_kind.values()) <= MAX_LEAVES
    assert max(len(bytes(data)) for data in leaves.values_list("data", flat=True)) < 600
    saved = leaves.filter(event_type="answer.saved").values("index")
    saved_bytes = sealed_bytes(LogPrivate.objects.filter(leaf_index__in=saved))
    assert saved_bytes <= MAX_ANSWER_LOG_BYTES
    # The log in all: the leaves, the saves' copies, each late refusal's and the scored event's
    # copy of every final answer.
    log_bytes = sum(len(bytes(data)) for data in leaves.values_list("data", flat=True))
    log_bytes += sealed_bytes(LogPrivate.objects.filter(subject=subject))
    bound = (
        MAX_LEAVES * MAX_LEAF_BYTES
        + MAX_ANSWER_LOG_BYTES
        + MAX_LATE_REFUSALS_PER_ATTEMPT * sealed_size(WORST_ANSWER)
        + 5 * sealed_size(WORST_ANSWER)
        + 1_000  # 5 items, their ids, the scorecard hash
    )
    assert log_bytes <= bound
    assert bound < 2_700_000
    # Outside the log: one answer row per item (the latest text, sealed) and the signals.
    assert Answer.objects.filter(attempt=attempt).count() == 3
    assert sealed_bytes(Answer.objects.filter(attempt=attempt), "text_sealed") <= 3 * 40_100
    assert IntegritySignal.objects.filter(attempt=attempt).count() == MAX_SIGNALS_PER_ATTEMPT


def sealed_bytes(rows: Any, field: str = "sealed_value") -> int:
    return sum(len(bytes(value)) for value in rows.values_list(field, flat=True))
