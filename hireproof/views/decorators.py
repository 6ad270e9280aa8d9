"""The three kinds of page, each marked by its decorator.

- ``staff_view``: an anonymous visitor is sent to sign in; anyone signed in reaches the view,
  whose first step asks the access funnel for the thing it shows with the permission it needs
  (``access_*(request.user, ..., Permission.X)``). Staff without the permission get the 404
  of a missing page from the funnel.
- ``candidate_view``: no account; the view's first step is the token funnel
  (``access_invitation_for_candidate`` / ``access_attempt_for_candidate``). When the funnel
  finds that the candidate withdrew (``CandidateWithdrew``), every page of the link, GET or
  POST, answers 410 with a page that says so and whom to contact; nothing else runs.
- ``public_view``: the few pages anyone may open (sign-in, password reset, the health check).

Staff and candidate pages are never stored by a browser or a proxy (``Cache-Control:
no-store``, through Django's ``add_never_cache_headers``): they show candidates' personal data
and attempts, often on shared machines.

Each sets ``view.surface``, so a test can list every URL pattern and check that each view is
one of the three, and that each staff view answers every role as the permission table says.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from hireproof.hiring.access import CandidateWithdrew

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class Surface(StrEnum):
    """Who a page is for."""

    STAFF = "staff"
    CANDIDATE = "candidate"
    PUBLIC = "public"


def staff_view(view: View) -> View:
    """A staff page: anonymous visitors go to sign-in; the view asks the funnel for the rest."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            response: HttpResponseBase = redirect_to_login(request.get_full_path())
        else:
            response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return cast(View, _marked(guarded, Surface.STAFF))


def candidate_view(view: View) -> View:
    """A candidate's page, reached only through the token of their personal link."""

    @wraps(view)
    def unstored(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except CandidateWithdrew as withdrawn:
            response = _withdrawn_page(request, withdrawn)
        add_never_cache_headers(response)
        return response

    return cast(View, _marked(unstored, Surface.CANDIDATE))


def _withdrawn_page(request: HttpRequest, withdrawn: CandidateWithdrew) -> HttpResponse:
    opening = withdrawn.invitation.candidate.opening
    context = {"role": opening.title, "contact": opening.created_by}
    return render(request, "assessments/withdrawn.html", context, status=410)


def public_view(view: View) -> View:
    """A page anyone may open."""
    return cast(View, _marked(view, Surface.PUBLIC))


def _marked(view: Callable[..., HttpResponseBase], surface: Surface) -> object:
    view.surface = surface  # type: ignore[attr-defined]  # a mark read by the checks
    return view
