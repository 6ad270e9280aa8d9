"""What one attempt can write by saving is bounded; the candidate's last text never is lost.

Saves of one item within ``ANSWER_COALESCE_SECONDS`` of its revision's first save are one
revision (one ``answer.saved`` leaf); an attempt records at most
``MAX_ANSWER_LEAVES_PER_ATTEMPT`` such leaves. The stored answer is always the latest text.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from hireproof.audit.models import LogLeaf
from hireproof.hiring.actions.attempts import (
    ANSWER_COALESCE_SECONDS,
    MAX_ANSWER_LEAVES_PER_ATTEMPT,
    do_submit_attempt,
)
from hireproof.hiring.models.attempts import Answer, saved_answers
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
