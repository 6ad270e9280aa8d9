"""Openings and their pipeline: parse, ask the access funnel, act or read, render.

Reading (the list, the pipeline, a selection's CSV export and the results' CSV export) needs
``READ_CANDIDATES``; every change ``MANAGE_OPENINGS``.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_opening, access_site, may
from hireproof.hiring.actions.openings import (
    do_close_opening,
    do_create_opening,
    do_record_results_export,
    do_reopen_opening,
    do_update_opening,
)
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.stage import STAGE_ORDER
from hireproof.hiring.reads.pipeline import (
    PipelineQuery,
    SelectionRefused,
    SortKey,
    export_csv,
    read_pipeline,
    selected_candidates,
    stage_counts_by_opening,
)
from hireproof.hiring.reads.playbook_guide import VERDICT_LABELS
from hireproof.hiring.reads.results_export import ExportRefused, export_query, results_export
from hireproof.platform.middleware import bad_request
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
    """The opening's candidates, a page at a time: stage, score, verdict, flags, decision;
    counts per stage, search, filters, sorting, and a selection for the bulk actions."""
    opening = access_opening(request.user, opening_id, Permission.READ_CANDIDATES)
    return pipeline_page(request, opening)


def pipeline_page(request: HttpRequest, opening: Opening, *, status: int = 200) -> HttpResponse:
    """The pipeline page of ``opening`` (also the answer, 409, to a change it refused, with the
    reason among the page's messages); its caller asked the funnel."""
    query = PipelineQuery.from_params(request.GET)
    page = read_pipeline(opening, query, timezone.now())
    return render(
        request,
        "openings/pipeline.html",
        {
            "opening": opening,
            "page": page,
            "rows": page.rows,
            "total": page.total,
            "counts": [
                (stage, count, query.url_params(status=stage.value), stage == query.stage)
                for stage, count in page.counts
            ],
            "all_url": query.url_params(status=""),
            "sort_links": {key.value: query.sort_link(key) for key in SortKey},
            "sort_choices": SORT_CHOICES,
            "pager": [
                (number, query.url_params(page=str(number)) if number else "")
                for number in page.numbers()
            ],
            "previous_url": query.url_params(page=str(page.number - 1)),
            "next_url": query.url_params(page=str(page.number + 1)),
            "selection_params": [*query.filter_params().items(), ("sort", query.sort_param)],
            "results_params": query.url_params(page=""),
            "waiting": page.waiting,
            "query": query,
            "stages": STAGE_ORDER,
            "verdicts": list(VERDICT_LABELS.items()),
            "can_manage": may(request.user, Permission.MANAGE_OPENINGS),
            "can_erase": may(request.user, Permission.ERASE_CANDIDATES),
        },
        status=status,
    )


def to_query(opening: Opening, query: PipelineQuery) -> HttpResponse:
    """A redirect to the opening's pipeline as ``query`` shows it."""
    return redirect(reverse("openings:pipeline", args=[opening.pk]) + query.url_params())


def read_selection(
    request: HttpRequest, opening: Opening, now: datetime
) -> tuple[QuerySet[Candidate], PipelineQuery] | HttpResponse:
    """The candidates a bulk action's form selects, and the pipeline's query it was sent
    with; or the answer to send instead: 400 naming the field for a value that is not
    understood (nothing is done), or back to the pipeline when nothing is selected.

    The form sends ``candidate`` (the ids ticked on the page) or ``all=1`` (every candidate
    the search and filters it carries keep), and the pipeline's ``q``, ``status``,
    ``verdict``, ``review`` and ``sort``.
    """
    query = PipelineQuery.from_params(request.POST)
    if query.ignored:
        return bad_request(request, " ".join(query.ignored) + " Nothing was done.")
    everything = request.POST.get("all", "")
    if everything not in ("", "1"):
        return bad_request(request, f"all: {everything[:40]!r} is not 1. Nothing was done.")
    if everything:
        return selected_candidates(opening, now, matching=query), query
    ids = []
    for value in request.POST.getlist("candidate"):
        if not (value.isascii() and value.isdigit() and 0 < len(value) <= 18):
            return bad_request(
                request, f"candidate: {value[:40]!r} is not a candidate number. Nothing was done."
            )
        ids.append(int(value))
    if not ids:
        messages.error(request, "Select at least one candidate, or every candidate matching.")
        return to_query(opening, query)
    try:
        return selected_candidates(opening, now, ids=ids), query
    except SelectionRefused as refusal:
        return bad_request(request, f"{refusal} Nothing was done.")


@require_POST
@staff_view
def export_selection(request: HttpRequest, opening_id: int) -> HttpResponse:
    """The selected candidates as a CSV file: name, email, stage, score, verdict, flags to
    review and decision, each cell safe to open in a spreadsheet."""
    opening = access_opening(request.user, opening_id, Permission.READ_CANDIDATES)
    now = timezone.now()
    selection = read_selection(request, opening, now)
    if isinstance(selection, HttpResponse):
        return selection
    candidates, query = selection
    response = HttpResponse("".join(export_csv(candidates, query, now)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="opening-{opening.pk}.csv"'
    return response


@require_POST
@staff_view
def export_results(request: HttpRequest, opening_id: int) -> HttpResponseBase:
    """The opening's results as a CSV file, for the pipeline's search and filters (``q``,
    ``status``, ``verdict``, ``review``, ``sort``, in the address the form posts to): written
    as it is sent, recorded as ``opening.results_exported`` first, so a POST (a page that is
    only read never writes). A filter not understood is a 400 naming it."""
    opening = access_opening(request.user, opening_id, Permission.READ_CANDIDATES)
    try:
        query = export_query(request.GET)
    except ExportRefused as refusal:
        return bad_request(request, f"{refusal} Nothing was exported.")
    export = results_export(opening, query, timezone.now())
    do_record_results_export(
        actor=acting_user(request),
        opening=opening,
        count=export.count,
        filters=export.filters,
        searched=bool(query.search),
    )
    response = StreamingHttpResponse(export.chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
