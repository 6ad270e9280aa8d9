"""Openings and their pipeline: parse, ask the access funnel, act or read, render.

Reading (the list and the pipeline) needs ``READ_CANDIDATES``; every change ``MANAGE_OPENINGS``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_opening, access_site, may
from hireproof.hiring.actions.openings import (
    do_close_opening,
    do_create_opening,
    do_reopen_opening,
    do_update_opening,
)
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.stage import STAGE_ORDER
from hireproof.hiring.reads.pipeline import (
    PipelineQuery,
    SortKey,
    count_stages,
    pipeline_queryset,
    pipeline_rows,
    select_rows,
    stage_counts_by_opening,
)
from hireproof.hiring.reads.playbook_guide import VERDICT_LABELS
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.openings import NewOpeningForm, OpeningDetailsForm
from hireproof.views.staff.http import acting_user, form_status, posted, to_pipeline

SORT_CHOICES = [
    ("added", "Date added, oldest first"),
    ("-added", "Date added, newest first"),
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("status", "Status"),
    ("-score", "Score, highest first"),
    ("score", "Score, lowest first"),
]

# --- openings ---------------------------------------------------------------------------------


@staff_view
def opening_list(request: HttpRequest) -> HttpResponse:
    """Every opening with its pinned playbook and how many candidates are at each stage."""
    access_site(request.user, Permission.READ_CANDIDATES)
    openings = list(Opening.objects.select_related("playbook_version").order_by("-created_at"))
    counts = stage_counts_by_opening(openings, timezone.now())
    listed = [
        (opening, [(stage, counts[opening.pk][stage]) for stage in STAGE_ORDER])
        for opening in openings
    ]
    return render(
        request,
        "openings/list.html",
        {
            "openings": listed,
            "stages": STAGE_ORDER,
            "can_manage": may(request.user, Permission.MANAGE_OPENINGS),
        },
    )


@staff_view
def opening_create(request: HttpRequest) -> HttpResponse:
    """Create an opening pinned to one playbook version."""
    actor = access_site(request.user, Permission.MANAGE_OPENINGS)
    form = NewOpeningForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        opening = do_create_opening(
            actor=actor,
            title=data["title"],
            playbook_version=data["playbook_version"],
            invitation_days=data["invitation_days"],
            email_subject=data["email_subject"],
            email_body=data["email_body"],
        )
        messages.success(request, f"The opening {opening.title!r} is created.")
        return to_pipeline(opening)
    return render(
        request,
        "openings/opening_form.html",
        {"form": form, "opening": None},
        status=form_status(request),
    )


@staff_view
def opening_edit(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Change the title, link validity or invitation email (never the playbook)."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    form = OpeningDetailsForm.for_opening(opening, posted(request))
    if request.method == "POST" and form.is_valid():
        do_update_opening(actor=acting_user(request), opening=opening, **form.cleaned_data)
        messages.success(request, "The opening is saved.")
        return to_pipeline(opening)
    return render(
        request,
        "openings/opening_form.html",
        {"form": form, "opening": opening},
        status=form_status(request),
    )


@require_POST
@staff_view
def opening_close(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Close the opening to new candidates and invitations."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    do_close_opening(actor=acting_user(request), opening=opening)
    messages.success(request, "The opening is closed. Links already sent keep working.")
    return to_pipeline(opening)


@require_POST
@staff_view
def opening_reopen(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Open a closed opening again."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    do_reopen_opening(actor=acting_user(request), opening=opening)
    messages.success(request, "The opening is open again.")
    return to_pipeline(opening)


# --- the pipeline -----------------------------------------------------------------------------


@staff_view
def pipeline(request: HttpRequest, opening_id: int) -> HttpResponse:
    """The opening's candidates: stage, score, verdict, flags, decision; counts, filters and
    sorting."""
    opening = access_opening(request.user, opening_id, Permission.READ_CANDIDATES)
    return pipeline_page(request, opening)


def pipeline_page(request: HttpRequest, opening: Opening, *, status: int = 200) -> HttpResponse:
    """The pipeline page of ``opening`` (also the answer, 409, to a change it refused, with the
    reason among the page's messages); its caller asked the funnel."""
    query = PipelineQuery.from_params(request.GET)
    rows = pipeline_rows(pipeline_queryset(opening, timezone.now()))
    shown = select_rows(rows, query)
    return render(
        request,
        "openings/pipeline.html",
        {
            "opening": opening,
            "rows": shown,
            "total": len(rows),
            "counts": [
                (stage, count, query.url_params(status=stage.value), stage == query.stage)
                for stage, count in count_stages(rows)
            ],
            "all_url": query.url_params(status=""),
            "sort_links": {key.value: query.sort_link(key) for key in SortKey},
            "sort_choices": SORT_CHOICES,
            "waiting": sum(1 for row in rows if row.can_invite),
            "query": query,
            "stages": STAGE_ORDER,
            "verdicts": list(VERDICT_LABELS.items()),
            "can_manage": may(request.user, Permission.MANAGE_OPENINGS),
            "can_erase": may(request.user, Permission.ERASE_CANDIDATES),
        },
        status=status,
    )
