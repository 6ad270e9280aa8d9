"""Openings URLs, mounted under ``/openings/``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "openings"

_CANDIDATE = "<int:opening_id>/candidates/<int:candidate_id>/"

urlpatterns = [
    path("", views.opening_list, name="list"),
    path("new/", views.opening_create, name="create"),
    path("<int:opening_id>/", views.pipeline, name="pipeline"),
    path("<int:opening_id>/edit/", views.opening_edit, name="edit"),
    path("<int:opening_id>/close/", views.opening_close, name="close"),
    path("<int:opening_id>/reopen/", views.opening_reopen, name="reopen"),
    path("<int:opening_id>/candidates/add/", views.candidate_add, name="candidate_add"),
    path("<int:opening_id>/candidates/import/", views.candidate_import, name="candidate_import"),
    path("<int:opening_id>/invite-all/", views.invite_all, name="invite_all"),
    path(_CANDIDATE + "invite/", views.candidate_invite, name="invite"),
    path(_CANDIDATE + "resend/", views.invitation_resend, name="resend"),
    path(_CANDIDATE + "extra-time/", views.invitation_extra_time, name="extra_time"),
    path(_CANDIDATE + "revoke/", views.invitation_revoke, name="revoke"),
    path(_CANDIDATE + "erase/", views.candidate_erase, name="erase"),
]
