"""Interview pages: parse, check access, act, render.

"My interviews", the kit and the scorecard are for the assigned interviewer; readers
(administrators, recruiters, auditors) see every kit and scorecard read-only; assigning and
cancelling is for administrators and recruiters. The decorator sends anonymous visitors to sign
in; ``access.py`` turns everyone else without the right, and every missing thing, into a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from hireproof.accounts.access import staff_required

from .access import (
    INTERVIEWER_ROLES,
    KIT_ROLES,
    MANAGER_ROLES,
    READER_ROLES,
    access_assignment,
    access_candidate_interviews,
    access_my_assignments,
    access_opening_emails,
    acting_user,
    can_manage_interviews,
)
from .actions import (
    InterviewRefused,
    do_amend_scorecard,
    do_assign_interviewer,
    do_cancel_assignment,
    do_submit_scorecard,
    do_update_interview_emails,
    eligible_interviewers,
)
from .emails import templates_for
from .forms import AssignForm, EmailTemplatesForm, ScorecardForm
from .models import Assignment
from .pages import (
    assigned_ids,
    interviews_panel,
    kit_blocks,
    others_for,
    versions_of,
    written_test_summary,
)


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- the interviewer's list -------------------------------------------------------------------


@require_GET
@staff_required(*INTERVIEWER_ROLES)
def my_interviews(request: HttpRequest) -> HttpResponse:
    """The interviewer's own assignments: candidate, opening, date, status."""
    # Dated interviews first, soonest first, on every database (SQLite and PostgreSQL put
    # NULLs at opposite ends); those still to be arranged follow, oldest assignment first.
    soonest = F("scheduled_for").asc(nulls_last=True)
    assignments = list(access_my_assignments(request.user).order_by(soonest, "assigned_at"))
    return render(request, "interviews/mine.html", {"assignments": assignments})


# --- a candidate's interviews (assigning, cancelling) -----------------------------------------


@staff_required(*READER_ROLES)
def candidate_interviews(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """A candidate's interviews with their status; recruiters assign interviewers here."""
    posted = _posted(request)
    candidate = access_candidate_interviews(
        request.user, opening_id, candidate_id, manage=posted is not None
    )
    panel = interviews_panel(candidate, request.user)
    taken = assigned_ids(panel.rows)
    choices = [user for user in eligible_interviewers() if user.pk not in taken]
    form = AssignForm(posted, choices=choices) if can_manage_interviews(request.user) else None
    if posted is not None and form is not None and form.is_valid():
        if _assign(request, candidate, form):
            return redirect(
                "interviews:candidate", opening_id=opening_id, candidate_id=candidate_id
            )
        panel = interviews_panel(candidate, request.user)
    status = 400 if posted is not None else 200
    return render(
        request,
        "interviews/candidate.html",
        {
            "panel": panel,
            "form": form,
            "has_choices": bool(choices),
            "summary": written_test_summary(candidate),
        },
        status=status,
    )


def _assign(request: HttpRequest, candidate: Any, form: AssignForm) -> bool:
    actor = acting_user(request.user)
    assigned = []
    for interviewer in form.cleaned_data["interviewers"]:
        try:
            do_assign_interviewer(
                actor=actor,
                candidate=candidate,
                interviewer=interviewer,
                scheduled_for=form.cleaned_data["scheduled_for"],
                base_url=_base_url(request),
            )
        except InterviewRefused as refusal:
            form.add_error(None, str(refusal))
            continue
        assigned.append(interviewer.full_name)
    if assigned:
        messages.success(
            request, f"Assigned: {', '.join(assigned)}. They were sent the kit's link."
        )
    return not form.errors


@require_POST
@staff_required(*MANAGER_ROLES)
def cancel(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Cancel an assignment (its scorecard, if any, no longer counts)."""
    assignment = access_assignment(request.user, assignment_id)
    try:
        do_cancel_assignment(
            actor=acting_user(request.user), assignment=assignment, base_url=_base_url(request)
        )
    except InterviewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"The interview by {assignment.interviewer.full_name} is cancelled."
        )
    candidate = assignment.candidate
    return redirect(
        "interviews:candidate", opening_id=candidate.opening_id, candidate_id=candidate.pk
    )


# --- the kit and the scorecard ----------------------------------------------------------------


@staff_required(*KIT_ROLES)
def kit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The interview kit with the scorecard form; read-only once submitted. A POST submits."""
    posted = _posted(request)
    assignment = access_assignment(request.user, assignment_id, score=posted is not None)
    kit_ = _kit_of(assignment)
    own = assignment.interviewer_id == request.user.pk
    form = None
    if own and posted is not None and assignment.candidate.is_erased:
        messages.error(request, "This candidate's personal data was erased: nothing is scored.")
        return redirect("interviews:kit", assignment_id=assignment.pk)
    if own and not assignment.is_submitted and not assignment.candidate.is_erased:
        form = ScorecardForm(posted, kit=kit_)
        if posted is not None and form.is_valid():
            try:
                do_submit_scorecard(
                    actor=acting_user(request.user),
                    assignment=assignment,
                    ratings=form.ratings(),
                    red_flags=form.red_flags(),
                    notes=form.cleaned_data["notes"],
                    base_url=_base_url(request),
                )
            except InterviewRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "Your scorecard is submitted.")
                return redirect("interviews:kit", assignment_id=assignment.pk)
    elif posted is not None:
        messages.error(
            request, "This scorecard is already submitted. To change it, amend it with a reason."
        )
        return redirect("interviews:kit", assignment_id=assignment.pk)
    return _render_kit(request, assignment, form, amend=False)


@staff_required(*INTERVIEWER_ROLES)
def amend(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Amend a submitted scorecard: the form starts from the latest version; a reason is due."""
    assignment = access_assignment(request.user, assignment_id, score=True)
    if assignment.candidate.is_erased:
        messages.error(request, "This candidate's personal data was erased: nothing is scored.")
        return redirect("interviews:kit", assignment_id=assignment.pk)
    kit_ = _kit_of(assignment)
    versions = versions_of(kit_, assignment, assignment.candidate)
    if not versions:
        return redirect("interviews:kit", assignment_id=assignment.pk)
    posted = _posted(request)
    latest = versions[-1]
    initial = ScorecardForm.initial_from(
        {q.question.id: q.rating for q in latest.questions if q.rating is not None},
        [f"{q.question.id}/{flag.id}" for q in latest.questions for flag in q.flags],
        latest.notes,
    )
    form = ScorecardForm(posted, kit=kit_, amend=True, initial=initial)
    if posted is not None and form.is_valid():
        try:
            do_amend_scorecard(
                actor=acting_user(request.user),
                assignment=assignment,
                ratings=form.ratings(),
                red_flags=form.red_flags(),
                notes=form.cleaned_data["notes"],
                reason=form.cleaned_data["reason"],
            )
        except InterviewRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Your scorecard is amended; the earlier version is kept.")
            return redirect("interviews:kit", assignment_id=assignment.pk)
    return _render_kit(request, assignment, form, amend=True)


def _kit_of(assignment: Assignment) -> Any:
    return assignment.candidate.opening.playbook_version.load().interview


def _render_kit(
    request: HttpRequest, assignment: Assignment, form: ScorecardForm | None, *, amend: bool
) -> HttpResponse:
    candidate = assignment.candidate
    kit_ = _kit_of(assignment)
    versions = versions_of(kit_, assignment, candidate)
    # While amending, the form holds the ratings; the read-only latest version is not repeated.
    latest = versions[-1] if versions and form is None else None
    context = {
        "assignment": assignment,
        "candidate": candidate,
        "opening": candidate.opening,
        "kit": kit_,
        "form": form,
        "amend": amend,
        "own": assignment.interviewer_id == request.user.pk,
        "summary": written_test_summary(candidate),
        "versions": versions,
        "blocks": kit_blocks(kit_, latest, form),
        "others": others_for(request.user, kit_, assignment, candidate),
        "may_manage": can_manage_interviews(request.user),
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "interviews/kit.html", context, status=status)


# --- the opening's notice templates -----------------------------------------------------------


@staff_required(*MANAGER_ROLES)
def email_templates(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Edit the opening's two interview notices."""
    opening = access_opening_emails(request.user, opening_id)
    saved = templates_for(opening)
    initial = {
        "assigned_subject": saved.assigned_subject,
        "assigned_body": saved.assigned_body,
        "all_in_subject": saved.all_in_subject,
        "all_in_body": saved.all_in_body,
    }
    posted = _posted(request)
    form = EmailTemplatesForm(posted, initial=initial)
    if posted is not None and form.is_valid():
        do_update_interview_emails(
            actor=acting_user(request.user), opening=opening, **form.cleaned_data
        )
        messages.success(request, "The interview emails are saved.")
        return redirect("interviews:emails", opening_id=opening.pk)
    status = 400 if posted is not None else 200
    return render(
        request, "interviews/emails.html", {"opening": opening, "form": form}, status=status
    )
