"""Decisions URLs, mounted under ``/decisions/``; a candidate is always named with their opening."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "decisions"

_CANDIDATE = "openings/<int:opening_id>/candidates/<int:candidate_id>/"

urlpatterns = [
    path(_CANDIDATE, views.candidate_decision, name="candidate"),
    path(_CANDIDATE + "decide/", views.record_decision, name="decide"),
    path(_CANDIDATE + "file/", views.hiring_file_page, name="file"),
    path(_CANDIDATE + "file.pdf", views.hiring_file_pdf, name="file_pdf"),
    path(_CANDIDATE + "file.json", views.hiring_file_json, name="file_json"),
    path(
        _CANDIDATE + "decisions/<int:decision_id>/receipt.json",
        views.decision_receipt,
        name="receipt",
    ),
    path("openings/<int:opening_id>/notice/", views.notice_settings, name="notice_settings"),
]
