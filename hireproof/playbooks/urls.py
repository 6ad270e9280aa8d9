"""Playbook library URLs, mounted under ``/playbooks/``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "playbooks"

urlpatterns = [
    path("", views.library, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<slug:playbook_id>/<str:version>/", views.version_detail, name="version"),
    path("<slug:playbook_id>/<str:version>/yaml/", views.version_yaml, name="version_yaml"),
]
