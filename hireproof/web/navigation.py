"""The main navigation: which links a user sees, by role, among the pages that exist.

A link whose route is not (yet) installed is left out, so apps can be added one at a time:
each app names its route as below, or adds its own link with ``add_nav_link``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from hireproof.accounts.access import (
    AnyUser,
    can_manage_staff,
    can_read_audit,
    can_read_playbooks,
    can_use_pipeline,
)


@dataclass(frozen=True)
class NavLink:
    """One entry of the main navigation, shown to users for whom ``allowed`` is true."""

    label: str
    url_name: str
    allowed: Callable[[AnyUser], bool]


NAV_LINKS: list[NavLink] = [
    NavLink("Openings", "openings:list", can_use_pipeline),
    NavLink("Playbooks", "playbooks:list", can_read_playbooks),
    NavLink("Staff", "accounts:staff_list", can_manage_staff),
    NavLink("Audit", "audit:home", can_read_audit),
]


def add_nav_link(link: NavLink) -> None:
    """Add ``link`` to the navigation (once), after the built-in ones."""
    if link not in NAV_LINKS:
        NAV_LINKS.append(link)


@dataclass(frozen=True)
class ShownLink:
    """A navigation link as the template needs it."""

    label: str
    url: str
    current: bool


def links_for(user: AnyUser, current_path: str) -> list[ShownLink]:
    """The links ``user`` may follow, marking the one ``current_path`` is under."""
    shown = []
    for link in NAV_LINKS:
        if not link.allowed(user):
            continue
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:
            continue
        shown.append(ShownLink(link.label, url, current_path.startswith(url)))
    return shown


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav_links`` and ``hireproof_version`` for the base layout."""
    from hireproof.web.version import hireproof_version

    return {
        "nav_links": links_for(request.user, request.path),
        "hireproof_version": hireproof_version(),
    }
