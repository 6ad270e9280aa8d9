"""URL map of the whole site; each app adds its own ``urls.py``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/", include("hireproof.accounts.urls")),
    path("playbooks/", include("hireproof.playbooks.urls")),
    path("openings/", include("hireproof.openings.urls")),
    path("reviews/", include("hireproof.reviews.urls")),
    path("interviews/", include("hireproof.interviews.urls")),
    path("decisions/", include("hireproof.decisions.urls")),
    path("audit/", include("hireproof.audit.urls")),
    path("", include("hireproof.assessments.urls")),
    path("", include("hireproof.web.urls")),
]
