"""The audit log's page for auditors: its state, its public key, its latest events in words,
exports and checkpoints."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission
from hireproof.audit.checkpoints import current_vkey, log_origin, sign_checkpoint_now
from hireproof.audit.keys import KeyFileError
from hireproof.audit.models import Checkpoint, LogKey, Subject
from hireproof.audit.store import read_head
from hireproof.audit.vault import SubjectErasedError
from hireproof.core.errors import AuditError
from hireproof.hiring.access import access_site, may
from hireproof.hiring.actions.log_export import do_export_log
from hireproof.hiring.reads.timeline import latest_events
from hireproof.views.decorators import staff_view
from hireproof.views.staff.http import CONFLICT, REFUSED

RECENT_CHECKPOINTS = 20
LATEST_EVENTS = 50


@require_GET
@staff_view
def home(request: HttpRequest) -> HttpResponse:
    """The log at a glance, how to verify it, and the export form."""
    user = access_site(request.user, Permission.READ_AUDIT_LOG)
    return _home_page(request, user)


def _home_page(request: HttpRequest, user: User, *, status: int = 200) -> HttpResponse:
    """The audit page (also the answer to a request it refused: 400 for a wrong request, 409
    for one the log's state refused, the reason among the page's messages)."""
    context = {
        "origin": log_origin(),
        "vkey": current_vkey(),
        "size": read_head().size,
        "checkpoints": Checkpoint.objects.order_by("-size", "-id")[:RECENT_CHECKPOINTS],
        "keys": LogKey.objects.order_by("first_leaf_index"),
        "erased": Subject.objects.filter(erased_at__isnull=False).count(),
        "may_sign": may(user, Permission.SIGN_CHECKPOINTS),
        "events": latest_events(LATEST_EVENTS),
    }
    return render(request, "audit/home.html", context, status=status)


@require_POST
@staff_view
def export(request: HttpRequest) -> HttpResponseBase:
    """Download the whole log as a bundle, opening the named candidates' fields if asked.

    A disclosure reveals personal data to whoever holds the file, so it is itself recorded.
    """
    user = access_site(request.user, Permission.READ_AUDIT_LOG)
    names = request.POST.get("disclose", "").split()
    subjects = list(Subject.objects.filter(pseudonym__in=names))
    unknown = sorted(set(names) - {subject.pseudonym for subject in subjects})
    if unknown:
        messages.error(request, f"No candidate has the pseudonym {', '.join(unknown)}.")
        return _home_page(request, user, status=REFUSED)
    folder = Path(tempfile.mkdtemp(prefix="hireproof-export-"))
    path = folder / "bundle"
    try:
        do_export_log(path, actor=user.audit_actor, disclose=subjects)
    except (SubjectErasedError, AuditError) as error:  # UnsignedTailError among them
        shutil.rmtree(folder, ignore_errors=True)
        messages.error(request, f"The export was refused: {error}")
        return _home_page(request, user, status=CONFLICT)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response = FileResponse(
        _deleted_after_reading(path), as_attachment=True, filename=f"hireproof-audit-{stamp}.bundle"
    )
    response["Content-Type"] = "application/octet-stream"
    return response


@require_POST
@staff_view
def checkpoint(request: HttpRequest) -> HttpResponse:
    """Sign a checkpoint of the log now (administrators)."""
    user = access_site(request.user, Permission.SIGN_CHECKPOINTS)
    try:
        signed = sign_checkpoint_now()
    except (AuditError, KeyFileError) as error:  # a fork refused; a key file not the log's
        messages.error(request, f"No checkpoint was signed: {error}")
        return _home_page(request, user, status=CONFLICT)
    messages.success(request, f"Signed a checkpoint of {signed.size} leaves.")
    return redirect("audit:home")


def _deleted_after_reading(path: Path) -> object:
    """The open file; its folder is removed as soon as it is open (the data stays readable)."""
    handle = path.open("rb")
    path.unlink()
    path.parent.rmdir()
    return handle
