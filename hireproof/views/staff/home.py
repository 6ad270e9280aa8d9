"""The home page: where each role starts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_site
from hireproof.views.decorators import staff_view
from hireproof.views.navigation import links_for


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    """A short welcome with the sections this user can open."""
    user = access_site(request.user, Permission.STAFF_HOME)
    return render(request, "web/home.html", {"sections": links_for(user, "")})
