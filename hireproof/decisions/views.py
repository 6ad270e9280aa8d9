"""The decision page, recording a decision, the hiring file, and the decision notice settings.

Reading is for administrators, recruiters and auditors; deciding and editing the notice for
administrators and recruiters. The decorator sends anonymous visitors to sign in;
``access.py`` turns everyone else without the right, and every missing thing, into a 404.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hireproof.accounts.access import staff_required
from hireproof.accounts.models import User

from .access import (
    DECIDER_ROLES,
    READER_ROLES,
    access_decision_candidate,
    access_hiring_file,
    access_notice_settings,
)
from .actions import DecisionRefused, do_record_decision, do_update_notice_settings
from .forms import DecisionForm, NoticeSettingsForm
from .hiring_file import hiring_file, to_json
from .models import Decision, NoticeSettings, Outcome
from .panel import CONFIRM_PREFIX, WITHDRAWN_PREFIX, decision_panel
from .pdf import render_pdf


@require_GET
@staff_required(*READER_ROLES)
def candidate_decision(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The recommendation with its reasons, the decisions so far, and the decision form."""
    candidate = access_decision_candidate(request.user, opening_id, candidate_id)
    panel = decision_panel(candidate, request.user)
    return render(request, "decisions/candidate.html", {"panel": panel})


@require_POST
@staff_required(*DECIDER_ROLES)
def record_decision(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Record a decision from the full form, "Confirm rejection" or "the candidate withdrew"."""
    candidate = access_decision_candidate(request.user, opening_id, candidate_id, decide=True)
    prefix, form_name = _posted_form(request)
    data = request.POST.copy()
    if prefix is not None:
        # Those two forms record one outcome only, whatever the post says.
        data[f"{prefix}-outcome"] = _PREFIXED_OUTCOMES[prefix]
    form = DecisionForm(data, prefix=prefix)
    if form.is_valid():
        cleaned = form.cleaned_data
        try:
            decision = do_record_decision(
                actor=_user(request),
                candidate=candidate,
                outcome=cleaned["outcome"],
                reason=cleaned["reason"],
                justification=cleaned["justification"],
                shown_recommendation=cleaned["recommendation"],
            )
        except DecisionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _recorded_message(decision))
            return redirect(reverse("decisions:candidate", args=[opening_id, candidate_id]))
    panel = decision_panel(candidate, request.user, **{form_name: form})
    return render(request, "decisions/candidate.html", {"panel": panel}, status=400)


_PREFIXED_OUTCOMES = {CONFIRM_PREFIX: Outcome.NO_HIRE, WITHDRAWN_PREFIX: Outcome.WITHDRAWN}
_FORM_NAMES = {CONFIRM_PREFIX: "confirm_form", WITHDRAWN_PREFIX: "withdrawn_form"}


def _posted_form(request: HttpRequest) -> tuple[str | None, str]:
    """The posted form's field prefix and its ``decision_panel`` argument name."""
    for prefix, name in _FORM_NAMES.items():
        if f"{prefix}-reason" in request.POST:
            return prefix, name
    return None, "form"


def _recorded_message(decision: Decision) -> str:
    told = (
        " The candidate is told by email."
        if decision.notifies_candidate
        else " No email is sent to the candidate."
    )
    return f"Decision recorded: {decision.get_outcome_display()}.{told}"


@require_GET
@staff_required(*READER_ROLES)
def hiring_file_page(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The hiring file on screen, with its PDF and JSON downloads."""
    candidate = access_hiring_file(request.user, opening_id, candidate_id)
    file = hiring_file(candidate)
    return render(request, "decisions/hiring_file.html", {"file": file, "page": file.page})


@require_GET
@staff_required(*READER_ROLES)
def hiring_file_pdf(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The hiring file as a PDF download."""
    candidate = access_hiring_file(request.user, opening_id, candidate_id)
    file = hiring_file(candidate)
    response = HttpResponse(render_pdf(file), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file.filename_stem}.pdf"'
    return response


@require_GET
@staff_required(*READER_ROLES)
def hiring_file_json(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The hiring file as a JSON download (the structure documented in ``hiring_file``)."""
    candidate = access_hiring_file(request.user, opening_id, candidate_id)
    file = hiring_file(candidate)
    body = json.dumps(to_json(file), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{file.filename_stem}.json"'
    return response


@require_GET
@staff_required(*READER_ROLES)
def decision_receipt(
    request: HttpRequest, opening_id: int, candidate_id: int, decision_id: int
) -> HttpResponse:
    """The receipt of one ``decision.recorded`` event, as a JSON file."""
    candidate = access_hiring_file(request.user, opening_id, candidate_id)
    decision = Decision.objects.filter(pk=decision_id, candidate=candidate).first()
    if decision is None:
        raise Http404("No such decision.")
    response = HttpResponse(decision.receipt_json, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="receipt-decision-{decision.pk}.json"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required(*DECIDER_ROLES)
def notice_settings(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Edit the email candidates of this opening get when a decision is recorded."""
    opening = access_notice_settings(request.user, opening_id)
    current = NoticeSettings.for_opening(opening)
    form = NoticeSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_update_notice_settings(
            actor=_user(request),
            opening=opening,
            share_scores=data["share_scores"],
            hire_subject=data["hire_subject"],
            hire_body=data["hire_body"],
            no_hire_subject=data["no_hire_subject"],
            no_hire_body=data["no_hire_body"],
        )
        messages.success(request, "The decision email is saved.")
        return redirect(reverse("decisions:notice_settings", args=[opening_id]))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "decisions/notice_settings.html",
        {"opening": opening, "form": form},
        status=status,
    )


def _user(request: HttpRequest) -> User:
    # Only called after an access_* check has confirmed a signed-in staff member.
    assert isinstance(request.user, User)
    return request.user
