"""The main navigation: the sections a staff member may open, by the permission each needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import AnyUser, may
from hireproof.platform.version import hireproof_version


@dataclass(frozen=True)
class NavLink:
    """One entry of the main navigation, shown to those who hold ``permission``."""

    label: str
    url_name: str
    permission: Permission


NAV_LINKS = (
    NavLink("Openings", "openings:list", Permission.READ_CANDIDATES),
    NavLink("My interviews", "interviews:mine", Permission.INTERVIEW),
    NavLink("Playbooks", "playbooks:list", Permission.READ_PLAYBOOKS),
    NavLink("Staff", "accounts:staff_list", Permission.MANAGE_STAFF),
    NavLink("Audit", "audit:home", Permission.READ_AUDIT_LOG),
    NavLink("API keys", "accounts:api_keys", Permission.MANAGE_API_KEYS),
    NavLink("Background work", "background:work", Permission.MANAGE_BACKGROUND_WORK),
    NavLink("Webhooks", "webhooks:endpoints", Permission.MANAGE_WEBHOOKS),
    NavLink("Integrations", "integrations_settings:list", Permission.MANAGE_INTEGRATIONS),
    NavLink("API", "api:openapi-view", Permission.STAFF_HOME),
)


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
        if may(user, link.permission):
            url = reverse(link.url_name)
            shown.append(ShownLink(link.label, url, current_path.startswith(url)))
    return shown


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav_links`` and ``hireproof_version`` for the base layout.

    An error page may be rendered before the middleware that sets ``request.user`` ran (a
    request for a host the site does not serve is refused first): it then shows no links.
    """
    user: AnyUser = getattr(request, "user", None) or AnonymousUser()
    return {
        "nav_links": links_for(user, request.path),
        "hireproof_version": hireproof_version(),
    }
