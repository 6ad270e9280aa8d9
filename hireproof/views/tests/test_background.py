"""The Background work page: what an administrator sees of the queue, and "Retry now"."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import parse_leaf
from hireproof.platform.models import TaskProblem, Worker
from hireproof.platform.tasks import enqueue, run_due_schedules
from hireproof.testing.tasks import FAILING_TRIES, fails_twice, keeps_failing, notes

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
PAGE = reverse("background:work")


def failed_for_good(log: Path) -> TaskProblem:
    """``keeps_failing`` run until it is out of tries."""
    with time_machine.travel(START, tick=False) as clock:
        enqueue(keeps_failing, str(log))
        for _ in range(FAILING_TRIES):
            clock.shift(timedelta(minutes=5))
            run_due_schedules()
    problem = TaskProblem.objects.get()
    assert problem.failed_for_good
    return problem


def page_of(client: Client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_task_that_failed_for_good_is_listed_with_its_error_tries_and_last_try(
    administrator_client: Client, tmp_path: Path
) -> None:
    problem = failed_for_good(tmp_path / "runs.log")
    page = page_of(administrator_client)
    failed = page.split("<h2>Failed for good</h2>", 1)[1].split("<h2>", 1)[0]
    assert "A task that keeps failing" in failed
    assert "<code>RuntimeError: this task always fails</code>" in failed
    assert f"<td>{FAILING_TRIES}</td>" in failed
    assert "1 May 2026, 10:15:00 UTC" in failed  # the last of the tries, 5 minutes apart
    assert f'action="{reverse("background:retry", args=[problem.pk])}"' in failed
    assert "Retry now" in failed
    assert "No worker has run in the last day" in page


def test_retry_now_is_an_audited_action_that_runs_the_task_once_more(
    administrator_client: Client, administrator: User, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    problem = failed_for_good(log)
    response = administrator_client.post(reverse("background:retry", args=[problem.pk]))
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert len(notes(log)) == FAILING_TRIES + 1  # it ran again, now (and failed again)
    problem.refresh_from_db()
    assert (problem.tries, problem.failed_for_good) == (FAILING_TRIES + 1, True)
    retried = LogLeaf.objects.order_by("-index").first()
    assert retried is not None
    leaf = parse_leaf(bytes(retried.data))
    assert leaf.event_type == "task.retried"
    assert leaf.actor == administrator.audit_actor
    assert dict(leaf.public) == {
        "task": "hireproof.testing.tasks.keeps_failing",
        "label": "A task that keeps failing",
        "tries": FAILING_TRIES,
    }
    page = page_of(administrator_client)
    assert "“A task that keeps failing” is tried again now." in page


def test_a_retried_task_that_succeeds_leaves_the_page(
    administrator_client: Client, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    enqueue(fails_twice, str(log))  # fails once, then waits 30 s or more for its next try
    [problem] = TaskProblem.objects.all()
    retrying = page_of(administrator_client).split("<h2>Failed, to be tried again</h2>", 1)[1]
    assert "A task that fails twice" in retrying.split("<h2>", 1)[0]
    assert "1 of 3" in retrying
    administrator_client.post(reverse("background:retry", args=[problem.pk]))  # fails again
    administrator_client.post(reverse("background:retry", args=[problem.pk]))  # succeeds
    assert [what for what, _, _ in notes(log)] == ["tried", "tried", "done"]
    assert not TaskProblem.objects.exists()
    page_of(administrator_client)  # shows, once, the message about the last retry
    assert "A task that fails twice" not in page_of(administrator_client)


def test_the_workers_are_listed_with_their_heartbeat(administrator_client: Client) -> None:
    with time_machine.travel(START, tick=False):
        Worker.objects.create(host="app-1", pid=4242, started_at=START, seen_at=START)
        Worker.objects.create(
            host="app-2", pid=77, started_at=START, seen_at=START - timedelta(minutes=5)
        )
        page = page_of(administrator_client)
    assert "app-1, process 4242" in page
    assert "app-2, process 77" in page
    assert page.count("not seen lately") == 1
    assert "No worker has run" not in page


def test_only_administrators_see_the_page(recruiter_client: Client, auditor_client: Client) -> None:
    assert recruiter_client.get(PAGE).status_code == 404
    assert auditor_client.get(PAGE).status_code == 404
