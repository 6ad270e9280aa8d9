"""Interview pages: parse, ask the access funnel, act or read, render.

"My interviews" and the scorecard are the assigned interviewer's (``INTERVIEW``); kits open to
their interviewer and, read-only, to whoever reads interviews (``OPEN_INTERVIEW_KITS``);
assigning, cancelling and the notices need ``MANAGE_INTERVIEWS``. The scorecard form gives the
core's ``InterviewScorecard``, the one shape ratings have from here to the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from hireproof.accounts.roles import Permission
from hireproof.core.playbook import InterviewKit, InterviewQuestion
from hireproof.hiring.access import (
    access_assignment,
    access_candidate,
    access_my_assignments,
    access_opening,
    interviewers,
    is_interviewer_of,
    may,
)
from hireproof.hiring.actions.interviews import (
    InterviewRefused,
    do_amend_scorecard,
    do_assign_interviewer,
    do_cancel_assignment,
    do_submit_scorecard,
    do_update_interview_emails,
)
from hireproof.hiring.emails import interview_templates
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.interviews import Assignment, interviewer_name
from hireproof.hiring.reads.interviews import (
    RatedQuestion,
    ScorecardView,
    assigned_ids,
    interviews_panel,
    others_for,
    versions_of,
    written_test_summary,
)
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.interviews import (
    AssignForm,
    EmailTemplatesForm,
    QuestionFields,
    ScorecardForm,
)
from hireproof.views.staff.http import CONFLICT, acting_user, base_url, posted

# --- the interviewer's list -------------------------------------------------------------------


@require_GET
@staff_view
def my_interviews(request: HttpRequest) -> HttpResponse:
    """The interviewer's own assignments: candidate, opening, date, status."""
    mine = access_my_assignments(request.user, Permission.INTERVIEW)
    # Dated interviews first, soonest first, on every database (SQLite and PostgreSQL put
    # NULLs at opposite ends); those still to be arranged follow, oldest assignment first.
    soonest = F("scheduled_for").asc(nulls_last=True)
    assignments = list(mine.order_by(soonest, "assigned_at"))
    return render(request, "interviews/mine.html", {"assignments": assignments})


# --- a candidate's interviews (assigning, cancelling) -----------------------------------------


@staff_view
def candidate_interviews(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """A candidate's interviews with their status; recruiters assign interviewers here."""
    data = posted(request)
    needed = Permission.READ_INTERVIEWS if data is None else Permission.MANAGE_INTERVIEWS
    candidate = access_candidate(request.user, opening_id, candidate_id, needed)
    return _interviews_page(request, candidate, data)


def _interviews_page(
    request: HttpRequest, candidate: Candidate, data: QueryDict | None, *, status: int = 0
) -> HttpResponse:
    """The candidate's interviews page, assigning from ``data`` when posted; ``status`` (409 for
    a change refused, its reason among the messages) overrides the form's."""
    opening_id, candidate_id = candidate.opening_id, candidate.pk
    panel = interviews_panel(candidate, request.user)
    taken = assigned_ids(panel.rows)
    choices = [user for user in interviewers() if user.pk not in taken]
    manages = may(request.user, Permission.MANAGE_INTERVIEWS)
    form = AssignForm(data, choices=choices) if manages else None
    if data is not None and form is not None and form.is_valid():
        if _assign(request, candidate, form):
            return redirect(
                "interviews:candidate", opening_id=opening_id, candidate_id=candidate_id
            )
        panel = interviews_panel(candidate, request.user)
    return render(
        request,
        "interviews/candidate.html",
        {
            "panel": panel,
            "form": form,
            "has_choices": bool(choices),
            "summary": written_test_summary(candidate),
        },
        status=status or (400 if data is not None else 200),
    )


def _assign(request: HttpRequest, candidate: Candidate, form: AssignForm) -> bool:
    actor = acting_user(request)
    assigned = []
    for interviewer in form.cleaned_data["interviewers"]:
        try:
            do_assign_interviewer(
                actor=actor,
                candidate=candidate,
                interviewer=interviewer,
                scheduled_for=form.cleaned_data["scheduled_for"],
                base_url=base_url(request),
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
@staff_view
def cancel(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Cancel an assignment (its scorecard, if any, no longer counts)."""
    assignment = access_assignment(request.user, assignment_id, Permission.MANAGE_INTERVIEWS)
    try:
        do_cancel_assignment(
            actor=acting_user(request), assignment=assignment, base_url=base_url(request)
        )
    except InterviewRefused as refusal:
        messages.error(request, str(refusal))
        candidate = access_candidate(
            request.user,
            assignment.candidate.opening_id,
            assignment.candidate_id,
            Permission.MANAGE_INTERVIEWS,
        )
        return _interviews_page(request, candidate, None, status=CONFLICT)
    messages.success(request, f"The interview by {assignment.interviewer.full_name} is cancelled.")
    candidate = assignment.candidate
    return redirect(
        "interviews:candidate", opening_id=candidate.opening_id, candidate_id=candidate.pk
    )


# --- the kit and the scorecard ----------------------------------------------------------------


@staff_view
def kit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The interview kit with the scorecard form; read-only once submitted. A POST submits."""
    data = posted(request)
    needed = Permission.OPEN_INTERVIEW_KITS if data is None else Permission.INTERVIEW
    assignment = access_assignment(request.user, assignment_id, needed)
    kit_ = _kit_of(assignment)
    own = is_interviewer_of(request.user, assignment)
    form = None
    if own and data is not None and assignment.candidate.is_erased:
        messages.error(request, "This candidate's personal data was erased: nothing is scored.")
        return _render_kit(request, assignment, None, amend=False, status=CONFLICT)
    if own and not assignment.is_submitted and not assignment.candidate.is_erased:
        form = ScorecardForm(data, kit=kit_)
        if data is not None and form.is_valid():
            try:
                do_submit_scorecard(
                    actor=acting_user(request),
                    assignment=assignment,
                    card=form.card(interviewer_name(assignment.interviewer)),
                    base_url=base_url(request),
                )
            except InterviewRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "Your scorecard is submitted.")
                return redirect("interviews:kit", assignment_id=assignment.pk)
    elif data is not None:
        messages.error(
            request, "This scorecard is already submitted. To change it, amend it with a reason."
        )
        return _render_kit(request, assignment, None, amend=False, status=CONFLICT)
    return _render_kit(request, assignment, form, amend=False)


@staff_view
def amend(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Amend a submitted scorecard: the form starts from the latest version; a reason is due."""
    assignment = access_assignment(request.user, assignment_id, Permission.INTERVIEW)
    if assignment.candidate.is_erased:
        messages.error(request, "This candidate's personal data was erased: nothing is scored.")
        return _render_kit(request, assignment, None, amend=False, status=CONFLICT)
    kit_ = _kit_of(assignment)
    versions = versions_of(kit_, assignment, assignment.candidate)
    if not versions:
        return redirect("interviews:kit", assignment_id=assignment.pk)
    data = posted(request)
    latest = versions[-1]
    initial = ScorecardForm.initial_from(
        {q.question.id: q.rating for q in latest.questions if q.rating is not None},
        [f"{q.question.id}/{flag.id}" for q in latest.questions for flag in q.flags],
        latest.notes,
    )
    form = ScorecardForm(data, kit=kit_, amend=True, initial=initial)
    if data is not None and form.is_valid():
        try:
            do_amend_scorecard(
                actor=acting_user(request),
                assignment=assignment,
                card=form.card(interviewer_name(assignment.interviewer)),
                reason=form.cleaned_data["reason"],
            )
        except InterviewRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Your scorecard is amended; the earlier version is kept.")
            return redirect("interviews:kit", assignment_id=assignment.pk)
    return _render_kit(request, assignment, form, amend=True)


def _kit_of(assignment: Assignment) -> InterviewKit:
    return assignment.candidate.opening.playbook_version.load().interview


@dataclass(frozen=True)
class KitBlock:
    """One question of the kit page: its guidance, plus the form's fields while scoring or
    the latest scorecard's rating once submitted."""

    number: int
    question: InterviewQuestion
    rated: RatedQuestion | None
    fields: QuestionFields | None


def kit_blocks(
    kit: InterviewKit, latest: ScorecardView | None, form: ScorecardForm | None
) -> list[KitBlock]:
    """The kit's questions in order, each with its form fields or its latest rating."""
    rated = {q.question.id: q for q in latest.questions} if latest else {}
    fields = {f.question.id: f for f in form.questions()} if form is not None else {}
    return [
        KitBlock(number, question, rated.get(question.id), fields.get(question.id))
        for number, question in enumerate(kit.questions, start=1)
    ]


def _render_kit(
    request: HttpRequest,
    assignment: Assignment,
    form: ScorecardForm | None,
    *,
    amend: bool,
    status: int = 0,
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
        "own": is_interviewer_of(request.user, assignment),
        "summary": written_test_summary(candidate),
        "versions": versions,
        "blocks": kit_blocks(kit_, latest, form),
        "others": others_for(request.user, kit_, assignment, candidate),
        "may_manage": may(request.user, Permission.MANAGE_INTERVIEWS),
    }
    refused = form is not None and form.is_bound and bool(form.errors)
    return render(
        request, "interviews/kit.html", context, status=status or (400 if refused else 200)
    )


# --- the opening's notice templates -----------------------------------------------------------


@staff_view
def email_templates(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Edit the opening's two interview notices."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_INTERVIEWS)
    saved = interview_templates(opening)
    initial = {
        "assigned_subject": saved.assigned_subject,
        "assigned_body": saved.assigned_body,
        "all_in_subject": saved.all_in_subject,
        "all_in_body": saved.all_in_body,
    }
    data = posted(request)
    form = EmailTemplatesForm(data, initial=initial)
    if data is not None and form.is_valid():
        do_update_interview_emails(actor=acting_user(request), opening=opening, **form.cleaned_data)
        messages.success(request, "The interview emails are saved.")
        return redirect("interviews:emails", opening_id=opening.pk)
    return render(
        request,
        "interviews/emails.html",
        {"opening": opening, "form": form},
        status=400 if data is not None else 200,
    )
