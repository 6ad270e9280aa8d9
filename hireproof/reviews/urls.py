"""Reviews URLs, mounted under ``/reviews/``; a candidate is always named with their opening."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "reviews"

_CANDIDATE = "openings/<int:opening_id>/candidates/<int:candidate_id>/"

urlpatterns = [
    path(_CANDIDATE, views.candidate_detail, name="candidate"),
    path(_CANDIDATE + "receipt.json", views.receipt, name="receipt"),
    path(
        _CANDIDATE + "flags/<str:item_id>/acknowledge/",
        views.acknowledge_flag,
        name="acknowledge",
    ),
]
