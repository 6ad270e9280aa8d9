"""The Background work page: the workers, the tasks waiting, the schedules, and every task that
failed, with its error, its tries and when it last ran; an administrator can try a failed task
again. Both need ``MANAGE_BACKGROUND_WORK``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hireproof.accounts.roles import Permission
from hireproof.audit.actions import do_retry_task
from hireproof.hiring.access import access_site, access_task_problem
from hireproof.platform.tasks import BEAT_SECONDS, overview
from hireproof.views.decorators import staff_view
from hireproof.views.staff.http import acting_user

# A worker whose heartbeat is older than this is shown as not seen lately.
QUIET_AFTER = timedelta(seconds=BEAT_SECONDS * 6)


@staff_view
def work(request: HttpRequest) -> HttpResponse:
    """Everything the queue holds and every worker's heartbeat."""
    access_site(request.user, Permission.MANAGE_BACKGROUND_WORK)
    now = timezone.now()
    state = overview()
    context = {
        "work": state,
        "workers": [(worker, now - worker.seen_at <= QUIET_AFTER) for worker in state.workers],
    }
    return render(request, "background/work.html", context)


@require_POST
@staff_view
def retry(request: HttpRequest, problem_id: int) -> HttpResponse:
    """Try a failed task once more, now (an audited action)."""
    problem = access_task_problem(request.user, problem_id, Permission.MANAGE_BACKGROUND_WORK)
    do_retry_task(actor=acting_user(request).audit_actor, problem=problem)
    messages.success(request, f"“{problem.label}” is tried again now.")
    return redirect("background:work")
