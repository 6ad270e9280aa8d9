"""Openings pages: parse, check access, act, render.

Reading (the list and the pipeline) is for administrators, recruiters and auditors; every
change is for administrators and recruiters; erasure is for administrators. The decorator sends
anonymous visitors to sign in; ``access.py`` turns everyone else without the right into a 404.
"""

from __future__ import annotations

import logging
import smtplib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hireproof.accounts.access import staff_required
from hireproof.accounts.models import User
from hireproof.playbooks.presentation import VERDICT_LABELS

from .access import (
    ERASER_ROLES,
    MANAGER_ROLES,
    READER_ROLES,
    access_candidate,
    access_opening,
    access_openings,
    can_erase_candidates,
    can_manage_openings,
)
from .accommodation import Accommodation
from .actions import (
    ErasureBasis,
    OpeningChangeRefused,
    do_add_candidate,
    do_close_opening,
    do_create_opening,
    do_erase_candidate,
    do_import_candidates,
    do_invite_candidate,
    do_reopen_opening,
    do_resend_invitation,
    do_revoke_invitation,
    do_update_opening,
)
from .columns import extra_columns
from .csv_import import CsvReport, read_candidate_csv
from .forms import (
    CandidateCsvForm,
    CandidateForm,
    EraseCandidateForm,
    InvitationForm,
    NewOpeningForm,
    OpeningDetailsForm,
)
from .models import Candidate, CandidateStatus, Opening
from .pipeline import (
    STATUS_ORDER,
    PipelineQuery,
    SortKey,
    count_statuses,
    pipeline_queryset,
    pipeline_rows,
    select_rows,
    status_counts_by_opening,
)

logger = logging.getLogger(__name__)
SORT_CHOICES = [
    ("added", "Date added, oldest first"),
    ("-added", "Date added, newest first"),
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("status", "Status"),
    ("-score", "Score, highest first"),
    ("score", "Score, lowest first"),
]
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def _posted(request: HttpRequest) -> QueryDict | None:
    # Not ``request.POST or None``: a POST with no fields (every field optional) is a submission.
    return request.POST if request.method == "POST" else None


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _pipeline(opening: Opening) -> HttpResponse:
    return redirect("openings:pipeline", opening_id=opening.pk)


# --- openings ---------------------------------------------------------------------------------


@staff_required(*READER_ROLES)
def opening_list(request: HttpRequest) -> HttpResponse:
    """Every opening with its pinned playbook and how many candidates are at each stage."""
    access_openings(request.user)
    openings = list(Opening.objects.select_related("playbook_version").order_by("-created_at"))
    counts = status_counts_by_opening(openings, timezone.now())
    listed = [
        (opening, [(status, counts[opening.pk][status]) for status in STATUS_ORDER])
        for opening in openings
    ]
    return render(
        request,
        "openings/list.html",
        {
            "openings": listed,
            "statuses": STATUS_ORDER,
            "can_manage": can_manage_openings(request.user),
        },
    )


@staff_required(*MANAGER_ROLES)
def opening_create(request: HttpRequest) -> HttpResponse:
    """Create an opening pinned to one playbook version."""
    actor = access_openings(request.user, manage=True)
    form = NewOpeningForm(_posted(request))
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
        return _pipeline(opening)
    return render(request, "openings/opening_form.html", {"form": form, "opening": None})


@staff_required(*MANAGER_ROLES)
def opening_edit(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Change the title, link validity or invitation email (never the playbook)."""
    opening = access_opening(request.user, opening_id, manage=True)
    form = OpeningDetailsForm.for_opening(opening, _posted(request))
    if request.method == "POST" and form.is_valid():
        do_update_opening(actor=_user(request), opening=opening, **form.cleaned_data)
        messages.success(request, "The opening is saved.")
        return _pipeline(opening)
    return render(request, "openings/opening_form.html", {"form": form, "opening": opening})


@require_POST
@staff_required(*MANAGER_ROLES)
def opening_close(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Close the opening to new candidates and invitations."""
    opening = access_opening(request.user, opening_id, manage=True)
    do_close_opening(actor=_user(request), opening=opening)
    messages.success(request, "The opening is closed. Links already sent keep working.")
    return _pipeline(opening)


@require_POST
@staff_required(*MANAGER_ROLES)
def opening_reopen(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Open a closed opening again."""
    opening = access_opening(request.user, opening_id, manage=True)
    do_reopen_opening(actor=_user(request), opening=opening)
    messages.success(request, "The opening is open again.")
    return _pipeline(opening)


def _user(request: HttpRequest) -> User:
    # Only called after an access_* check has confirmed a signed-in staff member.
    assert isinstance(request.user, User)
    return request.user


# --- the pipeline -----------------------------------------------------------------------------


@staff_required(*READER_ROLES)
def pipeline(request: HttpRequest, opening_id: int) -> HttpResponse:
    """The opening's candidates: status, score, verdict, flags; counts, filters and sorting."""
    opening = access_opening(request.user, opening_id)
    query = PipelineQuery.from_params(request.GET)
    rows = pipeline_rows(pipeline_queryset(opening, timezone.now()))
    shown = select_rows(rows, query)
    headers, cells = extra_columns([row.candidate.pk for row in shown])
    return render(
        request,
        "openings/pipeline.html",
        {
            "opening": opening,
            "rows": shown,
            "extra_headers": headers,
            "rows_and_cells": list(zip(shown, cells, strict=True)),
            "total": len(rows),
            "counts": [
                (status, count, query.url_params(status=status.value), status == query.status)
                for status, count in count_statuses(rows)
            ],
            "all_url": query.url_params(status=""),
            "sort_links": {key.value: query.sort_link(key) for key in SortKey},
            "sort_choices": SORT_CHOICES,
            "waiting": sum(1 for row in rows if row.can_invite),
            "query": query,
            "statuses": STATUS_ORDER,
            "verdicts": list(VERDICT_LABELS.items()),
            "can_manage": can_manage_openings(request.user),
            "can_erase": can_erase_candidates(request.user),
        },
    )


# --- candidates -------------------------------------------------------------------------------


@staff_required(*MANAGER_ROLES)
def candidate_add(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Add one candidate by name and email."""
    opening = access_opening(request.user, opening_id, manage=True)
    form = CandidateForm(_posted(request), opening=opening)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_candidate(actor=_user(request), opening=opening, candidate=form.new_candidate())
        except OpeningChangeRefused as refusal:
            messages.error(request, str(refusal))
            return _pipeline(opening)
        messages.success(request, f"{form.cleaned_data['name']} is added. Invite them when ready.")
        return _pipeline(opening)
    return render(request, "openings/candidate_add.html", {"form": form, "opening": opening})


@staff_required(*MANAGER_ROLES)
def candidate_import(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Upload a CSV file: every row is checked first; any problem and nothing is imported."""
    opening = access_opening(request.user, opening_id, manage=True)
    form = CandidateCsvForm(_posted(request), request.FILES if request.method == "POST" else None)
    report: CsvReport | None = None
    if request.method == "POST" and form.is_valid():
        report = _check_file(opening, form.cleaned_data["file"].read())
        if report.ok:
            try:
                added = do_import_candidates(
                    actor=_user(request), opening=opening, candidates=report.candidates
                )
            except OpeningChangeRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, f"{len(added)} candidates imported.")
                return _pipeline(opening)
    return render(
        request,
        "openings/candidate_import.html",
        {"form": form, "opening": opening, "report": report},
    )


def _check_file(opening: Opening, data: bytes) -> CsvReport:
    existing = set(
        Candidate.objects.filter(opening=opening)
        .exclude(email_lookup="")
        .values_list("email_lookup", flat=True)
    )
    return read_candidate_csv(data, existing_lookups=existing)


# --- invitations ------------------------------------------------------------------------------


@staff_required(*MANAGER_ROLES)
def candidate_invite(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Invite a candidate, with extra time if they need it; the link goes only by email."""
    candidate = access_candidate(request.user, opening_id, candidate_id, manage=True)
    form = InvitationForm.for_candidate(candidate, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_invite_candidate(
                actor=_user(request),
                candidate=candidate,
                accommodation=form.cleaned_data["accommodation"],
                base_url=_base_url(request),
            )
        except OpeningChangeRefused as refusal:
            messages.error(request, str(refusal))
        except MAIL_ERRORS as error:
            _report_mail_failure(request, error)
        else:
            messages.success(request, f"Invitation sent to {candidate.email}.")
        return _pipeline(candidate.opening)
    return render(
        request,
        "openings/invite.html",
        {"form": form, "candidate": candidate, "opening": candidate.opening},
    )


@require_POST
@staff_required(*MANAGER_ROLES)
def invite_all(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Invite every candidate not invited yet, each with the extra time they asked for."""
    opening = access_opening(request.user, opening_id, manage=True)
    waiting = [
        row.candidate
        for row in pipeline_rows(pipeline_queryset(opening, timezone.now()))
        if row.status == CandidateStatus.ADDED
    ]
    sent = 0
    for candidate in waiting:
        try:
            do_invite_candidate(
                actor=_user(request),
                candidate=candidate,
                accommodation=candidate.requested_accommodation,
                base_url=_base_url(request),
            )
        except OpeningChangeRefused as refusal:
            messages.error(request, str(refusal))
            break
        except MAIL_ERRORS as error:
            _report_mail_failure(request, error)
            break
        sent += 1
    if sent or not waiting:
        messages.success(request, f"{sent} invitation{'s' if sent != 1 else ''} sent.")
    return _pipeline(opening)


@require_POST
@staff_required(*MANAGER_ROLES)
def invitation_resend(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Send a new link with a new expiry; the old link stops working."""
    candidate = access_candidate(request.user, opening_id, candidate_id, manage=True)
    try:
        do_resend_invitation(actor=_user(request), candidate=candidate, base_url=_base_url(request))
    except OpeningChangeRefused as refusal:
        messages.error(request, str(refusal))
    except MAIL_ERRORS as error:
        _report_mail_failure(request, error)
    else:
        messages.success(
            request, f"A new link was sent to {candidate.email}; the previous one no longer works."
        )
    return _pipeline(candidate.opening)


@staff_required(*MANAGER_ROLES)
def invitation_extra_time(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Change an invitation's extra time before the attempt starts; a new link states it."""
    candidate = access_candidate(request.user, opening_id, candidate_id, manage=True)
    invitation = getattr(candidate, "invitation", None)
    if invitation is None:
        messages.error(request, f"{candidate.name} has not been invited yet.")
        return _pipeline(candidate.opening)
    form = InvitationForm.for_invitation(invitation, _posted(request))
    if request.method == "POST" and form.is_valid():
        accommodation = form.cleaned_data["accommodation"]
        try:
            do_resend_invitation(
                actor=_user(request),
                candidate=candidate,
                base_url=_base_url(request),
                accommodation=accommodation,
            )
        except OpeningChangeRefused as refusal:
            messages.error(request, str(refusal))
        except MAIL_ERRORS as error:
            _report_mail_failure(request, error)
        else:
            messages.success(
                request,
                f"Extra time for {candidate.name}: {accommodation.describe()}. A new link was "
                f"sent to {candidate.email}; the previous one no longer works.",
            )
        return _pipeline(candidate.opening)
    return render(
        request,
        "openings/extra_time.html",
        {
            "form": form,
            "candidate": candidate,
            "opening": candidate.opening,
            "current": Accommodation(invitation.extra_time_percent, invitation.extra_minutes),
        },
    )


@require_POST
@staff_required(*MANAGER_ROLES)
def invitation_revoke(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Stop the candidate's link from working."""
    candidate = access_candidate(request.user, opening_id, candidate_id, manage=True)
    try:
        do_revoke_invitation(actor=_user(request), candidate=candidate)
    except OpeningChangeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{candidate.name}'s link no longer works.")
    return _pipeline(candidate.opening)


def _report_mail_failure(request: HttpRequest, error: Exception) -> None:
    # The error names the mail server's complaint; never the link, which is only in the email.
    logger.warning("candidate invitation email not sent: %s", type(error).__name__)
    messages.warning(
        request,
        f"The invitation is saved, but the email could not be sent ({error}). "
        "Check the email settings, then use Resend.",
    )


# --- erasure ----------------------------------------------------------------------------------


@staff_required(*ERASER_ROLES)
def candidate_erase(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Erase a candidate's personal data for good, after a confirmation and with a reason."""
    candidate = access_candidate(request.user, opening_id, candidate_id, erase=True)
    if candidate.is_erased:
        messages.info(request, "This candidate's personal data is already erased.")
        return _pipeline(candidate.opening)
    form = EraseCandidateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        do_erase_candidate(
            actor=_user(request),
            candidate=candidate,
            basis=ErasureBasis(form.cleaned_data["basis"]),
        )
        messages.success(request, "The candidate's personal data is erased.")
        return _pipeline(candidate.opening)
    return render(
        request,
        "openings/erase.html",
        {"form": form, "candidate": candidate, "opening": candidate.opening},
    )
