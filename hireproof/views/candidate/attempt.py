"""The candidate's pages: start, questions (autosaved), submit, confirmation with the receipt.

Every view finds everything from the link's token (the access funnel's
``access_invitation_for_candidate`` / ``access_attempt_for_candidate``), acts through the
attempt's actions and renders. Opening a page never writes: an attempt whose time ran out is
submitted by the sweeper, by the countdown's last request, or by the candidate's press on the
"time is up" page, all of them POSTs. Nothing of the answer key reaches a template: the pages
are given the prompts and the option texts, item by item, through
``hireproof.hiring.reads.candidate_attempt.CandidateItem`` and nothing else.
Responses are never cached: a shared computer's browser must not keep an attempt's pages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hireproof.core.timing import seconds_left
from hireproof.hiring.access import access_attempt_for_candidate, access_invitation_for_candidate
from hireproof.hiring.actions.attempts import (
    AnswerRefused,
    RefusalReason,
    StartRefused,
    do_record_integrity_signal,
    do_save_answer,
    do_start_attempt,
    do_submit_attempt,
)
from hireproof.hiring.models.attempts import (
    Answer,
    Attempt,
    SignalKind,
    SubmissionKind,
    attempt_of,
    is_overdue,
    playbook_of,
    saved_answers,
)
from hireproof.hiring.models.candidates import Invitation
from hireproof.hiring.reads.candidate_attempt import (
    candidate_items,
    candidate_receipt,
    clock_text,
    grouped_by_section,
    start_page_facts,
)
from hireproof.hiring.reads.candidate_page import receipt_facts
from hireproof.views.decorators import candidate_view

# The status code of a refused save: 409 (the attempt's state forbids it) or 400 (bad input).
_REFUSAL_STATUS = {
    RefusalReason.LATE: 409,
    RefusalReason.SUBMITTED: 409,
    RefusalReason.TOO_LONG: 400,
    RefusalReason.NOT_AN_OPTION: 400,
}
FIELD_PREFIX = "answer-"
# The browser's countdown may reach zero a moment before the server's clock does (it counts
# from whole seconds sent earlier). A "time is up" from further ahead than this comes from a
# wrong clock in the browser (one set forward, say): the server's deadline decides, not it.
TIMER_SLACK = timedelta(seconds=5)
# The most characters one paste signal may report: far above any real answer, far below what
# the database column holds.
MAX_PASTE_CHARS = 10_000_000


def _url(name: str, token: str) -> str:
    return reverse(f"assessments:{name}", args=[token])


def _timer_is_due(attempt: Attempt, now: datetime) -> bool:
    """True when the browser's "time is up" agrees with the server's clock."""
    return now >= attempt.deadline - TIMER_SLACK


def _finish_if_over(attempt: Attempt, token: str, now: datetime) -> HttpResponse | None:
    """A redirect to the confirmation when the attempt is over: submitted, or past its deadline
    and the grace (the confirmation page then offers to submit what was saved)."""
    if attempt.submitted_at is not None or is_overdue(attempt, now):
        return redirect(_url("done", token))
    return None


def _submit_if_over(attempt: Attempt, token: str, now: datetime) -> HttpResponse | None:
    """For a POST: when the attempt is past its deadline and the grace, submit what was saved
    (automatically) and go to the confirmation; when already submitted, go there too."""
    if is_overdue(attempt, now):
        do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC, now=now)
    return _finish_if_over(attempt, token, now)


# --- start ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@candidate_view
def start(request: HttpRequest, token: str) -> HttpResponse:
    """The link's page: what the assessment is, then Start (POST); afterwards, resume."""
    invitation = access_invitation_for_candidate(token)
    now = timezone.now()
    attempt = attempt_of(invitation.candidate)
    if attempt is not None:
        over = _submit_if_over if request.method == "POST" else _finish_if_over
        return over(attempt, token, now) or redirect(_url("questions", token))
    if invitation.expires_at <= now:
        return _expired(request, invitation)
    if request.method == "POST":
        try:
            do_start_attempt(
                invitation, disclose_extension=bool(request.POST.get("disclose_extension")), now=now
            )
        except StartRefused:
            return _expired(request, invitation)
        return redirect(_url("questions", token))
    facts = start_page_facts(invitation, playbook_of(invitation))
    return render(request, "assessments/start.html", {"token": token, "facts": facts})


def _expired(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    opening = invitation.candidate.opening
    context = {"role": opening.title, "contact": opening.created_by}
    return render(request, "assessments/expired.html", context, status=410)


# --- questions --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@candidate_view
def questions(request: HttpRequest, token: str) -> HttpResponse:
    """Every question on one page (or one per page with ``?q=N``), saved as the candidate types.

    The plain form POST (no JavaScript) saves every field, then stays, goes to the submit
    step, or (``action=timeout``, sent by the countdown at zero) submits.
    """
    attempt = access_attempt_for_candidate(token)
    now = timezone.now()
    try:
        if request.method == "POST" and attempt.submitted_at is None:
            # Saved first even when late: a late answer is refused and logged, then submitted.
            return _save_form(request, attempt, token, now)
        finished = _finish_if_over(attempt, token, now)
        return finished or _questions_page(request, attempt, token, now)
    except BadParameter as error:
        return _refused(error)


def _questions_page(
    request: HttpRequest,
    attempt: Attempt,
    token: str,
    now: datetime,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    playbook = playbook_of(attempt)
    answers = {**saved_answers(attempt), **(typed or {})}
    saved = {a.item_id: a for a in Answer.objects.filter(attempt=attempt)}
    items = candidate_items(playbook, answers, saved, errors or {})
    page = _page_number(request, len(items))
    context = {
        "token": token,
        "attempt_id": attempt.pk,
        "role": attempt.invitation.candidate.opening.title,
        "title": playbook.assessment.title,
        "sections": grouped_by_section(playbook, items if page is None else [items[page - 1]]),
        "page": page,
        "item_count": len(items),
        **_countdown(attempt, now),
        "saved_banner": request.GET.get("saved") == "1",
        "has_errors": bool(errors),
    }
    return render(request, "assessments/questions.html", context, status=status)


class BadParameter(ValueError):
    """A query parameter or form field the page cannot read; ``str()`` says which and why."""


def _page_number(request: HttpRequest, count: int) -> int | None:
    """The 1-based question of one-per-page mode (``?q=N``), or ``None`` for all on one page.

    A number past the last question shows the last; anything but 1 to 9 ASCII digits (a
    superscript digit, a number of thousands of digits) is refused (``BadParameter``).
    """
    raw = request.GET.get("q", "")
    if raw == "":
        return None
    return min(max(whole_number(raw, "q", 999_999_999), 1), count)


def whole_number(raw: str, name: str, largest: int) -> int:
    """``raw`` as a number from 0 to ``largest`` written in ASCII digits, else ``BadParameter``
    (``str.isdigit`` and ``int`` accept digits such as "²" or "١" that are not such numbers)."""
    digits = len(str(largest))
    if not (raw.isascii() and raw.isdigit() and len(raw) <= digits) or int(raw) > largest:
        raise BadParameter(f"{name} must be a whole number from 0 to {largest:,}, not {raw[:40]!r}")
    return int(raw)


def _refused(error: BadParameter) -> HttpResponse:
    return HttpResponseBadRequest(f"{error}.", content_type="text/plain")


def _save_form(request: HttpRequest, attempt: Attempt, token: str, now: datetime) -> HttpResponse:
    typed = {
        name.removeprefix(FIELD_PREFIX): request.POST.get(name, "")
        for name in request.POST
        if name.startswith(FIELD_PREFIX)
    }
    errors: dict[str, str] = {}
    over = False
    page = request.GET.get("q", "")
    if page:
        whole_number(page, "q", 999_999_999)  # checked before anything is saved
    for item_id, text in typed.items():
        try:
            do_save_answer(attempt, item_id, text, now=now)
        except AnswerRefused as refusal:
            if refusal.reason in (RefusalReason.LATE, RefusalReason.SUBMITTED):
                over = True  # go on: every late answer is refused and logged on its own
            else:
                errors[item_id] = str(refusal)
    if over:
        return _submit_if_over(attempt, token, now) or redirect(_url("done", token))
    action = request.POST.get("action", "save")
    if action == "timeout" and _timer_is_due(attempt, now):
        do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC, now=now)
        return redirect(_url("done", token))
    # A timeout the server's clock does not agree with is a save: the attempt stays open and
    # the page, loaded again, shows the server's time left.
    if errors:
        return _questions_page(request, attempt, token, now, typed=typed, errors=errors, status=400)
    if action == "submit":
        return redirect(_url("submit", token))
    query = f"?q={page}&saved=1" if page else "?saved=1"
    return HttpResponseRedirect(_url("questions", token) + query)


@never_cache
@require_POST
@candidate_view
def save_answer(request: HttpRequest, token: str, item_id: str) -> HttpResponse:
    """Autosave of one field (htmx): the field's status line, and the time left in a header."""
    attempt = access_attempt_for_candidate(token)
    now = timezone.now()
    field = FIELD_PREFIX + item_id
    if field not in request.POST:
        # Never read as a blank: that would wipe the saved answer.
        return HttpResponseBadRequest(
            f"No answer was sent: the request has no field {field!r}.", content_type="text/plain"
        )
    text = request.POST[field]
    context: dict[str, object] = {"item_id": item_id, "token": token}
    status = 200
    try:
        answer = do_save_answer(attempt, item_id, text, now=now)
        context["answer"] = answer
    except AnswerRefused as refusal:
        if refusal.reason is RefusalReason.UNKNOWN_ITEM:
            raise Http404("No such page.") from None
        context["refusal"] = str(refusal)
        context["time_is_up"] = refusal.reason in (RefusalReason.LATE, RefusalReason.SUBMITTED)
        status = _REFUSAL_STATUS[refusal.reason]
        if refusal.reason is RefusalReason.LATE:
            # The attempt is over: submit what was saved now rather than at the next sweep.
            do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC, now=now)
    response = render(request, "assessments/_save_status.html", context, status=status)
    if status != 200:
        # Refused: the attempt may have been submitted meanwhile, by this request or another.
        attempt.refresh_from_db(fields=["submitted_at"])
    response["X-Seconds-Left"] = str(_seconds_left(attempt, now))
    if attempt.submitted_at is not None:
        response["X-Attempt-Done"] = _url("done", token)
    return response


def _countdown(attempt: Attempt, now: datetime) -> dict[str, object]:
    left = seconds_left(now, attempt.deadline)
    return {"seconds_left": left, "clock": clock_text(left), "deadline": attempt.deadline}


def _seconds_left(attempt: Attempt, now: datetime) -> int:
    return 0 if attempt.submitted_at is not None else seconds_left(now, attempt.deadline)


@never_cache
@require_GET
@candidate_view
def time_left(request: HttpRequest, token: str) -> JsonResponse:
    """The server's remaining seconds, for the countdown to re-sync (e.g. after a sleep)."""
    attempt = access_attempt_for_candidate(token)
    now = timezone.now()
    done = attempt.submitted_at is not None or is_overdue(attempt, now)
    return JsonResponse({"seconds_left": 0 if done else seconds_left(now, attempt.deadline)})


@never_cache
@require_POST
@candidate_view
def integrity_signal(request: HttpRequest, token: str) -> HttpResponse:
    """Record a focus or paste signal (``kind``, optional ``item``, ``chars``); 204."""
    attempt = access_attempt_for_candidate(token)
    try:
        kind = SignalKind(request.POST.get("kind", ""))
        chars = whole_number(request.POST.get("chars", "0") or "0", "chars", MAX_PASTE_CHARS)
    except ValueError:
        return HttpResponseBadRequest(
            "kind must be focus_lost, focus_returned or paste, and chars a whole number "
            f"from 0 to {MAX_PASTE_CHARS:,}",
            content_type="text/plain",
        )
    do_record_integrity_signal(
        attempt, kind, item_id=request.POST.get("item", ""), chars=chars, now=timezone.now()
    )
    return HttpResponse(status=204)


# --- submitting -------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@candidate_view
def submit(request: HttpRequest, token: str) -> HttpResponse:
    """The confirm step: what will be submitted. POST submits (``action=timeout``: the timer)."""
    attempt = access_attempt_for_candidate(token)
    now = timezone.now()
    over = _submit_if_over if request.method == "POST" else _finish_if_over
    finished = over(attempt, token, now)
    if finished is not None:
        return finished
    if request.method == "POST":
        timer = request.POST.get("action") == "timeout"
        if timer and not _timer_is_due(attempt, now):
            # The browser's clock ran ahead of the server's: nothing is submitted, and the
            # page, loaded again, shows the server's time left.
            return redirect(_url("submit", token))
        kind = SubmissionKind.AUTOMATIC if timer else SubmissionKind.CANDIDATE
        do_submit_attempt(attempt, kind=kind, now=now)
        return redirect(_url("done", token))
    answers = saved_answers(attempt)
    items = playbook_of(attempt).assessment.items
    answered = sum(1 for item in items if answers.get(item.id, "").strip())
    context = {
        "token": token,
        "role": attempt.invitation.candidate.opening.title,
        "answered": answered,
        "unanswered": len(items) - answered,
        "item_count": len(items),
        **_countdown(attempt, now),
    }
    return render(request, "assessments/submit.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@candidate_view
def done(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation: when it was submitted, and the receipt with how to check it.

    An attempt past its deadline and the grace that nobody submitted yet shows "time is up"
    with a button (a POST) that submits what was saved now; the sweeper does it otherwise.
    """
    attempt = access_attempt_for_candidate(token)
    now = timezone.now()
    overdue = is_overdue(attempt, now)
    if request.method == "POST":
        if overdue:
            do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC, now=now)
        return redirect(_url("done", token))
    if attempt.submitted_at is None and not overdue:
        return redirect(_url("questions", token))
    context = {
        "token": token,
        "role": attempt.invitation.candidate.opening.title,
        "attempt": attempt,
        "time_is_up": overdue,
        "automatic": attempt.submission == SubmissionKind.AUTOMATIC,
        "contact": attempt.invitation.candidate.opening.created_by,
        # The log's key to check the receipt with, and the command: a candidate needs both.
        "receipt": receipt_facts(attempt.receipt_json, "receipt.json")
        if attempt.receipt_json
        else None,
    }
    return render(request, "assessments/done.html", context)


@never_cache
@require_GET
@candidate_view
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt of the scored event, as a JSON file to keep (without the verdict)."""
    attempt = access_attempt_for_candidate(token)
    if not attempt.receipt_json:
        raise Http404("No such page.")
    response = HttpResponse(
        candidate_receipt(attempt.receipt_json), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="receipt.json"'
    return response
