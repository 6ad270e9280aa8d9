"""Candidates of an opening: adding them (one or a CSV file), inviting them, their links, and
erasing them. Every page needs ``MANAGE_OPENINGS``, erasure ``ERASE_CANDIDATES``.

A change refused because of how things stand (the opening is closed, the candidate has already
submitted) answers 409 with the page it was asked from, the form or the pipeline, saying why.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_candidate, access_opening
from hireproof.hiring.actions.candidates import do_add_candidate, do_import_candidates
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.invitations import (
    do_invite_candidate,
    do_resend_invitation,
    do_revoke_invitation,
    invite_each,
)
from hireproof.hiring.actions.openings import OpeningChangeRefused
from hireproof.hiring.emails import invitation_about
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.reads.pipeline import (
    PipelineQuery,
    matching_candidates,
    not_invited,
)
from hireproof.platform.mail import latest_emails
from hireproof.views.decorators import staff_view
from hireproof.views.staff.csv_import import CsvReport, read_candidate_csv
from hireproof.views.staff.forms.openings import (
    CandidateCsvForm,
    CandidateForm,
    EraseCandidateForm,
    InvitationForm,
)
from hireproof.views.staff.http import (
    CONFLICT,
    acting_user,
    base_url,
    form_status,
    posted,
    report_email,
    to_pipeline,
)
from hireproof.views.staff.openings import pipeline_page, read_selection, to_query

# --- candidates -------------------------------------------------------------------------------


def _refused(request: HttpRequest, opening: Opening, refusal: Exception) -> HttpResponse:
    """The opening's pipeline, 409, with the reason a change asked from it was refused."""
    messages.error(request, str(refusal))
    return pipeline_page(request, opening, status=CONFLICT)


@staff_view
def candidate_add(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Add one candidate by name and email."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    form = CandidateForm(posted(request), opening=opening)
    status = form_status(request)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_candidate(
                actor=acting_user(request), opening=opening, candidate=form.new_candidate()
            )
        except OpeningChangeRefused as refusal:
            form.add_error(None, str(refusal))
            status = CONFLICT
        else:
            name = form.cleaned_data["name"]
            messages.success(request, f"{name} is added. Invite them when ready.")
            return to_pipeline(opening)
    return render(
        request,
        "openings/candidate_add.html",
        {"form": form, "opening": opening},
        status=status,
    )


@staff_view
def candidate_import(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Upload a CSV file: every row is checked first; any problem and nothing is imported."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    form = CandidateCsvForm(posted(request), request.FILES if request.method == "POST" else None)
    report: CsvReport | None = None
    status = form_status(request)
    if request.method == "POST" and form.is_valid():
        report = _check_file(opening, form.cleaned_data["file"].read())
        if report.ok:
            try:
                added = do_import_candidates(
                    actor=acting_user(request), opening=opening, candidates=report.candidates
                )
            except OpeningChangeRefused as refusal:
                messages.error(request, str(refusal))
                status = CONFLICT
            else:
                messages.success(request, f"{len(added)} candidates imported.")
                return to_pipeline(opening)
    return render(
        request,
        "openings/candidate_import.html",
        {"form": form, "opening": opening, "report": report},
        status=status,
    )


def _check_file(opening: Opening, data: bytes) -> CsvReport:
    existing = set(
        Candidate.objects.filter(opening=opening)
        .exclude(email_lookup="")
        .values_list("email_lookup", flat=True)
    )
    return read_candidate_csv(data, existing_lookups=existing)


# --- invitations ------------------------------------------------------------------------------


@staff_view
def candidate_invite(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Invite a candidate, with extra time if they need it; the link goes only by email."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.MANAGE_OPENINGS)
    form = InvitationForm.for_candidate(candidate, posted(request))
    status = form_status(request)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = do_invite_candidate(
                actor=acting_user(request),
                candidate=candidate,
                accommodation=form.cleaned_data["accommodation"],
                base_url=base_url(request),
            )
        except OpeningChangeRefused as refusal:
            form.add_error(None, str(refusal))
            status = CONFLICT
        else:
            report_email(
                request,
                invitation_about(invitation.pk),
                sent=f"Invitation sent to {candidate.email}.",
                waiting=f"Invitation to {candidate.email} saved: the email is on its way.",
            )
            return to_pipeline(candidate.opening)
    return render(
        request,
        "openings/invite.html",
        {"form": form, "candidate": candidate, "opening": candidate.opening},
        status=status,
    )


@require_POST
@staff_view
def invite_all(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Invite every candidate not invited yet, each with the extra time they asked for."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    waiting = not_invited(matching_candidates(opening, PipelineQuery(), timezone.now()))
    run = invite_each(actor=acting_user(request), candidates=waiting, base_url=base_url(request))
    _report_invitations(request, run.invited)
    return _refused(request, opening, run.refusal) if run.refusal else to_pipeline(opening)


@require_POST
@staff_view
def invite_selected(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Invite the selected candidates who are not invited yet (the others are left as they
    are), each with the extra time they asked for; one ``invitation.sent`` each."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    selection = read_selection(request, opening, timezone.now())
    if isinstance(selection, HttpResponse):
        return selection
    candidates, query = selection
    waiting = list(not_invited(candidates))
    left = candidates.count() - len(waiting)
    run = invite_each(actor=acting_user(request), candidates=waiting, base_url=base_url(request))
    _report_invitations(request, run.invited)
    if left:
        messages.info(
            request,
            f"{left} of the selected {'were' if left != 1 else 'was'} invited already (or "
            "erased) and left as they were.",
        )
    return _refused(request, opening, run.refusal) if run.refusal else to_query(opening, query)


def _report_invitations(request: HttpRequest, invited: list[Invitation]) -> None:
    """How many invitations were made, and whether their emails left (the pipeline names each
    one that failed, with the mail server's reason)."""
    emails = latest_emails(invitation_about(invitation.pk) for invitation in invited).values()
    failed = [email for email in emails if email.failed]
    count = len(invited)
    made = f"{count} invitation{'s' if count != 1 else ''}"
    if failed:
        messages.warning(
            request,
            f"{made} saved, but {len(failed)} email{'s' if len(failed) != 1 else ''} could not"
            f" be sent ({failed[0].last_error}). Check the email settings, then use Resend.",
        )
    elif all(email.sent_at is not None for email in emails):
        messages.success(request, f"{made} sent.")
    else:
        messages.success(request, f"{made} saved: the emails are on their way.")


@require_POST
@staff_view
def invitation_resend(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Send a new link with a new expiry; the old link stops working."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.MANAGE_OPENINGS)
    try:
        invitation = do_resend_invitation(
            actor=acting_user(request), candidate=candidate, base_url=base_url(request)
        )
    except OpeningChangeRefused as refusal:
        return _refused(request, candidate.opening, refusal)
    report_email(
        request,
        invitation_about(invitation.pk),
        sent=f"A new link was sent to {candidate.email}; the previous one no longer works.",
        waiting=f"A new link to {candidate.email} is on its way; the previous one no longer works.",
    )
    return to_pipeline(candidate.opening)


@staff_view
def invitation_extra_time(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Change an invitation's extra time before the attempt starts; a new link states it."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.MANAGE_OPENINGS)
    invitation = getattr(candidate, "invitation", None)
    if invitation is None:
        not_yet = OpeningChangeRefused(f"{candidate.name} has not been invited yet.")
        return _refused(request, candidate.opening, not_yet)
    form = InvitationForm.for_invitation(invitation, posted(request))
    status = form_status(request)
    if request.method == "POST" and form.is_valid():
        accommodation = form.cleaned_data["accommodation"]
        try:
            do_resend_invitation(
                actor=acting_user(request),
                candidate=candidate,
                base_url=base_url(request),
                accommodation=accommodation,
            )
        except OpeningChangeRefused as refusal:
            form.add_error(None, str(refusal))
            status = CONFLICT
        else:
            extra = f"Extra time for {candidate.name}: {accommodation.describe()}."
            report_email(
                request,
                invitation_about(invitation.pk),
                sent=f"{extra} A new link was sent to {candidate.email}; the previous one no"
                " longer works.",
                waiting=f"{extra} A new link to {candidate.email} is on its way; the previous"
                " one no longer works.",
            )
            return to_pipeline(candidate.opening)
    return render(
        request,
        "openings/extra_time.html",
        {
            "form": form,
            "candidate": candidate,
            "opening": candidate.opening,
            "current": Accommodation(invitation.extra_time_percent, invitation.extra_minutes),
        },
        status=status,
    )


@require_POST
@staff_view
def invitation_revoke(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Stop the candidate's link from working."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.MANAGE_OPENINGS)
    try:
        do_revoke_invitation(actor=acting_user(request), candidate=candidate)
    except OpeningChangeRefused as refusal:
        return _refused(request, candidate.opening, refusal)
    messages.success(request, f"{candidate.name}'s link no longer works.")
    return to_pipeline(candidate.opening)


# --- erasure ----------------------------------------------------------------------------------


@staff_view
def candidate_erase(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Erase a candidate's personal data for good, after a confirmation and with a reason."""
    candidate = access_candidate(
        request.user, opening_id, candidate_id, Permission.ERASE_CANDIDATES
    )
    if candidate.is_erased:
        messages.info(request, "This candidate's personal data is already erased.")
        return to_pipeline(candidate.opening)
    form = EraseCandidateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        do_erase_candidate(
            actor=acting_user(request),
            candidate=candidate,
            basis=ErasureBasis(form.cleaned_data["basis"]),
        )
        messages.success(request, "The candidate's personal data is erased.")
        return to_pipeline(candidate.opening)
    return render(
        request,
        "openings/erase.html",
        {"form": form, "candidate": candidate, "opening": candidate.opening},
        status=form_status(request),
    )
