"""Small helpers every staff page shares: the posted form data, the status of a refused form,
the site's base URL, the acting user, the way back to an opening's pipeline, and the message
saying where an invitation's email stands."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from hireproof.accounts.models import User
from hireproof.hiring.models.openings import Opening
from hireproof.platform.mail import latest_emails

logger = logging.getLogger(__name__)


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, else ``None`` (an unbound form).

    Not ``request.POST or None``: a POST with no fields (every field optional) is a submission.
    """
    return request.POST if request.method == "POST" else None


# A form sent back with its messages answers this, so a script or a test can tell a refusal
# from a page (the interview, decision and candidate pages answer it too).
REFUSED = 400
# A change refused because of the state of things (the opening is closed, the candidate has
# submitted, the last administrator would go) answers this, with the page and the reason.
CONFLICT = 409


def form_status(request: HttpRequest) -> int:
    """The status of a form page: 400 for a POST answered with the form again (it was refused:
    the page says why; an accepted POST redirects), 200 for a GET."""
    return REFUSED if request.method == "POST" else 200


def refused(response: HttpResponse) -> HttpResponse:
    """``response`` (a form sent back with its messages) with the ``REFUSED`` status: what
    Django's form views answer an invalid form with, in place of their 200."""
    response.status_code = REFUSED
    return response


def base_url(request: HttpRequest) -> str:
    """The site's address as this request reached it, for the links an email carries."""
    return request.build_absolute_uri("/")


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member (only called after the access funnel let them through)."""
    assert isinstance(request.user, User)
    return request.user


def to_pipeline(opening: Opening) -> HttpResponse:
    """A redirect to the opening's pipeline."""
    return redirect("openings:pipeline", opening_id=opening.pk)


def report_email(request: HttpRequest, about: str, *, sent: str, waiting: str) -> None:
    """Tell the staff member where the invitation's email (the outbox's newest ``about`` it)
    stands: ``sent``, or ``waiting`` for a worker, or not sent, with the mail server's reason
    (it is tried again later; the pipeline or the staff list says so until it leaves)."""
    email = latest_emails([about]).get(about)
    if email is None or email.sent_at is not None:
        messages.success(request, sent)
    elif email.failed:
        messages.warning(
            request,
            f"The invitation is saved, but the email could not be sent ({email.last_error}). "
            "Check the email settings, then use Resend.",
        )
    else:
        messages.success(request, waiting)
