"""The home page: where each role starts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hireproof.accounts.access import staff_required
from hireproof.web.navigation import links_for


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    """A short welcome with the sections this user can open."""
    return render(request, "web/home.html", {"sections": links_for(request.user, "")})
