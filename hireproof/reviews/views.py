"""The candidate page and the reviewer's actions on it: parse, check access, act, render.

Reading is for administrators, recruiters and auditors; acknowledging a flag is for
administrators and recruiters. The decorator sends anonymous visitors to sign in;
``access.py`` turns everyone else without the right, and every missing thing, into a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from hireproof.accounts.access import staff_required
from hireproof.accounts.models import User

from .access import (
    READER_ROLES,
    REVIEWER_ROLES,
    access_candidate_page,
    access_scored_attempt,
    can_review,
)
from .actions import ReviewRefused, do_acknowledge_flag
from .flags import attempt_flags
from .forms import AcknowledgeFlagForm
from .page import candidate_page, receipt_filename
from .panels import render_panels


@require_GET
@staff_required(*READER_ROLES)
def candidate_detail(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """Everything about one candidate: answers, scoring, flags, signals, timeline, receipt."""
    candidate = access_candidate_page(request.user, opening_id, candidate_id)
    page = candidate_page(candidate, may_review=can_review(request.user))
    panels = render_panels(candidate, request)
    return render(request, "reviews/candidate.html", {"page": page, "panels": panels})


@require_POST
@staff_required(*REVIEWER_ROLES)
def acknowledge_flag(
    request: HttpRequest, opening_id: int, candidate_id: int, item_id: str
) -> HttpResponse:
    """Acknowledge one warning flag with a note; htmx gets the flag's block back, a plain
    form post is redirected to the page (or shown it again with the errors)."""
    attempt = access_scored_attempt(request.user, opening_id, candidate_id, review=True)
    if item_id not in {flag.item_id for flag in attempt_flags(attempt)}:
        raise Http404("No such flag.")
    form = AcknowledgeFlagForm(request.POST, item_id=item_id)
    refusal = ""
    if form.is_valid():
        try:
            do_acknowledge_flag(
                actor=_user(request),
                attempt=attempt,
                item_id=item_id,
                note=form.cleaned_data["note"],
            )
        except ReviewRefused as refused:
            refusal = str(refused)
    posted = {item_id: form} if form.errors else {}
    anchor = reverse("reviews:candidate", args=[opening_id, candidate_id]) + f"#item-{item_id}"
    if request.headers.get("HX-Request") == "true":
        return _flag_fragment(request, opening_id, candidate_id, item_id, posted, refusal)
    if refusal:
        messages.error(request, refusal)
        return redirect(anchor)
    if form.errors:
        candidate = access_candidate_page(request.user, opening_id, candidate_id)
        page = candidate_page(candidate, may_review=True, posted=posted)
        panels = render_panels(candidate, request)
        context = {"page": page, "panels": panels}
        return render(request, "reviews/candidate.html", context, status=400)
    messages.success(request, f"The warning on {item_id} is acknowledged.")
    return redirect(anchor)


def _flag_fragment(
    request: HttpRequest,
    opening_id: int,
    candidate_id: int,
    item_id: str,
    posted: dict[str, AcknowledgeFlagForm],
    refusal: str,
) -> HttpResponse:
    candidate = access_candidate_page(request.user, opening_id, candidate_id)
    page = candidate_page(candidate, may_review=True, posted=posted)
    review = next(review for review in page.items if review.item.id == item_id)
    # 200 even with errors: htmx swaps only successful responses, and the errors must show.
    return render(
        request,
        "reviews/_flag_response.html",
        {"page": page, "review": review, "refusal": refusal},
    )


@require_GET
@staff_required(*READER_ROLES)
def receipt(request: HttpRequest, opening_id: int, candidate_id: int) -> HttpResponse:
    """The receipt of the scored event (with the recorded leaf), as a JSON file."""
    attempt = access_scored_attempt(request.user, opening_id, candidate_id)
    if not attempt.receipt_json:
        raise Http404("No receipt.")
    response = HttpResponse(attempt.receipt_json, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(attempt)}"'
    return response


def _user(request: HttpRequest) -> User:
    # Only called after an access_* check has confirmed a signed-in staff member.
    assert isinstance(request.user, User)
    return request.user
