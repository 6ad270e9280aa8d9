"""The candidate's pages, all under their personal link ``a/<token>/``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("a/<str:token>/", views.start, name="start"),
    path("a/<str:token>/questions/", views.questions, name="questions"),
    path("a/<str:token>/answers/<str:item_id>/", views.save_answer, name="save"),
    path("a/<str:token>/time/", views.time_left, name="time_left"),
    path("a/<str:token>/signals/", views.integrity_signal, name="signal"),
    path("a/<str:token>/submit/", views.submit, name="submit"),
    path("a/<str:token>/done/", views.done, name="done"),
    path("a/<str:token>/receipt.json", views.receipt, name="receipt"),
    path("healthz", views.health, name="health"),
]
