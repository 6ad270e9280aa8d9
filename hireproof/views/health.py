"""The health checks for load balancers and monitors: ``/healthz`` and ``/readyz``, both public.

- ``/healthz`` (liveness): ``ok`` when the process answers. No database work: a load balancer
  restarts a process that fails it, and a slow database is no reason to.
- ``/readyz`` (readiness): 200 when this process can do its work, else 503; a JSON body names
  every check and, when one fails, why. The checks: the database answers; every migration of
  this code is applied; the audit log's checkpoints keep up (no leaf has waited for a signature
  longer than ``HIREPROOF_READY_CHECKPOINT_SECONDS``); and the background work is being done
  (``check_worker``). A load balancer sends requests only to a ready process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hireproof.audit.checkpoints import unsigned_window
from hireproof.platform.tasks import stalled_work
from hireproof.views.decorators import public_view


@public_view
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """``ok``: the server answers (no database work; the benchmark's baseline)."""
    return HttpResponse("ok\n", content_type="text/plain")


class NotReady(Exception):
    """A readiness check failed; ``str()`` says why, for the operator."""


def check_database(now: datetime) -> None:
    """The database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        raise NotReady(f"the database does not answer: {error}") from None


# Once every migration of this code was found applied, the process does not look again:
# migrations only move forward while it runs.
_migrated = False


def check_migrations(now: datetime) -> None:
    """Every migration this code has is applied to the database."""
    global _migrated
    if _migrated:
        return
    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if waiting:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in waiting)
        raise NotReady(f"{len(waiting)} migration(s) not applied: {names}")
    _migrated = True


def check_checkpoints(now: datetime) -> None:
    """No audit leaf has waited for a signed checkpoint longer than the threshold."""
    window = unsigned_window()
    limit = settings.HIREPROOF_READY_CHECKPOINT_SECONDS
    if window.unsigned and window.age(now) > limit:
        raise NotReady(
            f"{window.unsigned} audit leaves wait for a checkpoint, the oldest for "
            f"{window.age(now):.0f} s (more than {limit} s): is the checkpoint signer running?"
        )


def check_worker(now: datetime) -> None:
    """The background work is being done: no task has waited longer than
    ``HIREPROOF_READY_CHECKPOINT_SECONDS`` while no worker was seen (its heartbeat, every few
    seconds, in the database). A live worker with a long queue is ready; so is a site with
    nothing waiting, whose worker may be restarting."""
    problem = stalled_work(now, settings.HIREPROOF_READY_CHECKPOINT_SECONDS)
    if problem is not None:
        raise NotReady(problem)


CHECKS: tuple[tuple[str, Callable[[datetime], None]], ...] = (
    ("database", check_database),
    ("migrations", check_migrations),
    ("checkpoints", check_checkpoints),
    ("worker", check_worker),
)


@never_cache
@public_view
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """200 ``{"ready": true, "checks": {...}}``, or 503 naming each failing check and why."""
    now = timezone.now()
    checks: dict[str, str] = {}
    for name, check in CHECKS:
        try:
            if name != "database" and checks.get("database", "ok") != "ok":
                raise NotReady("not checked: the database does not answer")
            check(now)
        except NotReady as failure:
            checks[name] = str(failure)
        else:
            checks[name] = "ok"
    failing = {name: why for name, why in checks.items() if why != "ok"}
    body: dict[str, object] = {"ready": not failing, "checks": checks}
    if failing:
        body["failing"] = sorted(failing)
    return JsonResponse(body, status=503 if failing else 200)
