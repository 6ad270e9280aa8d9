"""Scoring holds no lock: while one submission's slow scoring runs, other candidates save.

Real threads, each with its own database connection, on a database they share (a SQLite file,
or PostgreSQL without the test transaction). The scoring is slow because the playbook holds as
many allowed regex rules as an item may, each as large as an upload accepts, of a shape that
makes RE2 work for every character of the answer: nothing is mocked.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.test import Client

from hireproof.core.playbook import MAX_ANSWER_CHARS, MAX_RULES_PER_ITEM
from hireproof.hiring.actions.attempts import do_start_attempt, do_submit_attempt
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.playbooks import do_publish_playbook
from hireproof.hiring.models.attempts import Attempt, saved_answers
from hireproof.hiring.models.candidates import Invitation, hash_token
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.attempts.conftest import Link, save
from hireproof.testing.personas import make_opening, make_persona

# Any wait for a lock longer than this fails the waiting save: short transactions take
# milliseconds; a scoring inside one would hold its lock for a second or more.
LOCK_WAIT_SECONDS = 0.5

_RULES = ", ".join(
    f"{{regex: '[ab]?[a-z]{{120}}z|q{k:02d}q'}}" for k in range(MAX_RULES_PER_ITEM - 1)
)
SLOW_PLAYBOOK = f"""\
id: slow-rules
version: "1.0.0"
title: Many allowed rules
role:
  title: Analyst
  department: Data
  level: Junior
  summary: A playbook whose text item is slow to score.
  overview: Looks at text.
  responsibilities: [{{title: Analysis, description: Analyse data.}}]
  skills:
    soft: [{{name: Communication, description: Explains clearly.}}]
    attitude: [{{name: Curiosity, description: Asks why.}}]
    technical: [{{name: SQL, description: Writes queries.}}]
  tools: [{{name: Python, description: pandas and friends.}}]
  when_to_use: In tests.
assessment:
  title: Test
  time_limit_minutes: 30
  instructions: Answer.
  notice: None.
  sections: [{{id: s, title: S, weight: 1}}]
  items:
    - id: essay
      kind: text
      section: s
      prompt: Write.
      answer_key: Anything.
      grading: One point for a match.
      rule: {{any_of: [{_RULES}]}}
interview:
  scale: [{{value: 1, label: "no"}}, {{value: 2, label: "yes"}}]
  questions:
    - {{id: q, competency: C, text: Tell us., look_for: [L], strong_answer: S., weak_answer: W.}}
decision:
  bands: [{{verdict: strong_pass, min_percent: 80}}, {{verdict: fail, min_percent: 0}}]
  red_flags: {{critical: Disqualifies., warning: Reviewed.}}
  test_weight: 0.4
  interview_weight: 0.6
  hire_min_combined: 75
  no_hire_below_combined: 60
  summary: Numbers decide.
"""


def _essay(seed: int) -> str:
    """10,000 random a's, b's and c's: every rule reads all of it, and none matches."""
    rng = random.Random(seed)
    return "".join(rng.choice("abc") for _ in range(MAX_ANSWER_CHARS))


def _invited(opening: Opening, name: str, token: str) -> Link:
    candidate = do_add_candidate(
        actor=opening.created_by, opening=opening, candidate=NewCandidate(name, f"{name[0]}@x.org")
    )
    invitation = Invitation.objects.create(
        candidate=candidate,
        token_hash=hash_token(token),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    do_start_attempt(invitation)
    return Link(token, invitation)


def _wait_briefly_for_locks() -> None:
    """This thread's connection gives up on a lock after ``LOCK_WAIT_SECONDS``."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_SECONDS * 1000)}")
        else:
            cursor.execute(f"SET lock_timeout = '{int(LOCK_WAIT_SECONDS * 1000)}ms'")


def test_while_a_slow_scoring_runs_another_candidates_autosave_commits(shared_db: None) -> None:
    recruiter = make_persona("recruiter")
    version = do_publish_playbook(SLOW_PLAYBOOK, "slow.yaml", actor=recruiter)  # within bounds
    opening = make_opening(recruiter, version, "Essays")
    grace = _invited(opening, "Grace Hopper", "grace-token-0123456789abcdefghijklmnop")
    alan = _invited(opening, "Alan Turing", "alan-token-0123456789abcdefghijklmnopq")
    assert save(Client(), grace, "essay", _essay(0)).status_code == 200

    submitting = threading.Event()
    done = threading.Event()
    result: dict[str, Any] = {}
    errors: list[BaseException] = []
    alan_saves: list[bool] = []  # per committed save: was Grace's submission still running?

    def submit() -> None:  # Grace's submission: slow scoring
        try:
            submitting.set()
            result["attempt"] = do_submit_attempt(Attempt.objects.get(pk=grace.attempt.pk))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            done.set()
            connection.close()

    def grace_keeps_typing() -> None:  # her own autosaves, racing the submission's scoring
        try:
            submitting.wait()
            client, seed = Client(), 1
            while not done.is_set():
                save(client, grace, "essay", _essay(seed))
                seed += 1
                time.sleep(0.05)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def alan_keeps_typing() -> None:  # another candidate: never waits on the scoring
        try:
            _wait_briefly_for_locks()
            submitting.wait()
            client, number = Client(), 0
            while not done.is_set():
                response = save(client, alan, "essay", f"draft {number}")
                assert response.status_code == 200, response.content
                alan_saves.append(not done.is_set())
                number += 1
                time.sleep(0.05)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run) for run in (submit, grace_keeps_typing, alan_keeps_typing)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Grace's saves landed during each scoring, so the submission scored again and again (in
    # the end it left the attempt open to be submitted again) ...
    assert result["attempt"].submitted_at is None
    # ... and all the while Alan's autosaves committed, none waiting on a lock.
    assert alan_saves.count(True) >= 10
    assert saved_answers(alan.attempt) == {"essay": f"draft {len(alan_saves) - 1}"}
