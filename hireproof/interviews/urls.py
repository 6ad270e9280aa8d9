"""Interviews URLs, mounted under ``/interviews/``; a candidate is always named with their
opening, an assignment by its own id (the access funnel checks whose it is)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "interviews"

urlpatterns = [
    path("", views.my_interviews, name="mine"),
    path(
        "openings/<int:opening_id>/candidates/<int:candidate_id>/",
        views.candidate_interviews,
        name="candidate",
    ),
    path("openings/<int:opening_id>/emails/", views.email_templates, name="emails"),
    path("assignments/<int:assignment_id>/", views.kit, name="kit"),
    path("assignments/<int:assignment_id>/amend/", views.amend, name="amend"),
    path("assignments/<int:assignment_id>/cancel/", views.cancel, name="cancel"),
]
