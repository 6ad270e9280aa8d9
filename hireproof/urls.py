"""URL map of the whole site; each app adds its own ``urls.py``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
