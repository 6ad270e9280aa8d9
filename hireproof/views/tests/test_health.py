"""The health checks: ``/healthz`` says the process answers; ``/readyz`` whether it can work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from time_machine import TimeMachineFixture

from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.platform.mail import send_queued_email
from hireproof.platform.models import Worker
from hireproof.platform.tasks import enqueue, queued_for_workers
from hireproof.testing.personas import TEST_START
from hireproof.views import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(isolated_audit_keys: Path) -> Path:
    return isolated_audit_keys


@pytest.fixture(autouse=True)
def _migrations_looked_at_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrated", False)


def record_one() -> None:
    with transaction.atomic():
        record_event(EventType.LOG_KEY_ROTATED, actor="system", public={"n": 1})


def test_healthz_answers_ok_without_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_readyz_is_ready_when_every_check_passes(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok", "checkpoints": "ok", "worker": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


def test_readyz_names_a_log_whose_checkpoints_fell_behind(
    client: Client, time_machine: TimeMachineFixture, settings: object
) -> None:
    time_machine.move_to(TEST_START, tick=False)
    record_one()  # the log's first leaves are signed at once
    record_one()  # this one waits for the next checkpoint
    time_machine.move_to(TEST_START + timedelta(seconds=59), tick=False)
    assert client.get("/readyz").status_code == 200  # within the 60 s allowed
    time_machine.move_to(TEST_START + timedelta(seconds=61), tick=False)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["failing"] == ["checkpoints"]
    assert body["checks"]["checkpoints"] == (
        "1 audit leaves wait for a checkpoint, the oldest for 61 s (more than 60 s): is the "
        "checkpoint signer running?"
    )
    assert body["checks"]["database"] == "ok"


def test_readyz_names_migrations_not_applied(client: Client) -> None:
    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.filter(app="hiring").order_by("-id").first()
    assert last is not None
    last.delete()  # as if this code brought a migration the database has not had
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == (
        f"1 migration(s) not applied: hiring.{last.name}"
    )


def test_readyz_names_background_work_no_worker_does(
    client: Client, time_machine: TimeMachineFixture
) -> None:
    # Tasks queued for real workers, as outside the tests (which run them where queued).
    with queued_for_workers():
        _no_worker_then_one(client, time_machine)


def _no_worker_then_one(client: Client, time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(TEST_START, tick=False)
    enqueue(send_queued_email, 1)  # waits for a worker: none runs in this test
    time_machine.move_to(TEST_START + timedelta(seconds=60), tick=False)
    assert client.get("/readyz").status_code == 200  # within the 60 s allowed
    time_machine.move_to(TEST_START + timedelta(seconds=61), tick=False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"] == (
        "a background task has waited 61 s (more than 60 s) and no worker was ever seen: is "
        "`hireproof worker` running?"
    )

    # A worker that beats is busy, not stalled; one gone quiet for long is named.
    now = TEST_START + timedelta(seconds=61)
    Worker.objects.create(host="app-1", pid=4242, started_at=now, seen_at=now)
    assert client.get("/readyz").status_code == 200
    time_machine.move_to(now + timedelta(seconds=16), tick=False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "the last worker was seen at 2026-" in response.json()["checks"]["worker"]
