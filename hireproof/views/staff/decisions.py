"""The decision page, recording a decision, and the decision notice settings.

Reading needs ``READ_CANDIDATES``; deciding ``DECIDE``; editing an opening's notice
``MANAGE_OPENINGS``. The decision forms are built here and set on the read model's panel.
"""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_candidate, access_opening
from hireproof.hiring.actions.decisions import (
    DecisionRefused,
    do_record_decision,
    do_update_notice_settings,
)
from hireproof.hiring.models.decisions import Decision, NoticeSettings, Outcome
from hireproof.hiring.reads.decision_panel import DecisionPanel, decision_panel
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.decisions import DecisionForm, NoticeSettingsForm
from hireproof.views.staff.http import acting_user

# The "Confirm rejection" form's field prefix: it posts to the same view as the full form.
CONFIRM_PREFIX = "confirm"
# The "Record that the candidate withdrew" form's prefix, offered while hire and no hire wait.
WITHDRAWN_PREFIX = "withdrawn"
_PREFIXED_OUTCOMES = {CONFIRM_PREFIX: Outcome.NO_HIRE, WITHDRAWN_PREFIX: Outcome.WITHDRAWN}
_FORM_NAMES = {CONFIRM_PREFIX: "confirm_form", WITHDRAWN_PREFIX: "withdrawn_form"}


def with_decision_forms(panel: DecisionPanel, **bound: DecisionForm) -> DecisionPanel:
    """``panel`` with its three decision forms, for a viewer who may decide.

    ``bound`` holds a posted form by its panel name (``form``, ``confirm_form``,
    ``withdrawn_form``), shown again with its errors; the others start empty, carrying the
    hash of the recommendation shown (a decision is refused if it changed meanwhile).
    """
    if not panel.may_decide:
        return panel
    shown = panel.recommendation.hash if panel.recommendation else ""
    return dataclasses.replace(
        panel,
        form=bound.get("form") or DecisionForm(initial={"recommendation": shown}),
        confirm_form=bound.get("confirm_form")
        or DecisionForm(
            initial={"recommendation": shown, "outcome": Outcome.NO_HIRE}, prefix=CONFIRM_PREFIX
        ),
        withdrawn_form=bound.get("withdrawn_form")
        or DecisionForm(
            initial={"recommendation": shown, "outcome": Outcome.WITHDRAWN},
            prefix=WITHDRAWN_PREFIX,
        ),
    )


@require_GET
@staff_view
def candidate_decision(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The recommendation with its reasons, the decisions so far, and the decision form."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.READ_CANDIDATES)
    panel = with_decision_forms(decision_panel(candidate, request.user))
    return render(request, "decisions/candidate.html", {"panel": panel})


@require_POST
@staff_view
def record_decision(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Record a decision from the full form, "Confirm rejection" or "the candidate withdrew"."""
    candidate = access_candidate(request.user, opening_id, candidate_id, Permission.DECIDE)
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
                actor=acting_user(request),
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
    panel = with_decision_forms(decision_panel(candidate, request.user), **{form_name: form})
    return render(request, "decisions/candidate.html", {"panel": panel}, status=400)


def _posted_form(request: HttpRequest) -> tuple[str | None, str]:
    """The posted form's field prefix and its panel name."""
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


@require_http_methods(["GET", "POST"])
@staff_view
def notice_settings(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Edit the email candidates of this opening get when a decision is recorded."""
    opening = access_opening(request.user, opening_id, Permission.MANAGE_OPENINGS)
    current = NoticeSettings.for_opening(opening)
    form = NoticeSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_update_notice_settings(
            actor=acting_user(request),
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
