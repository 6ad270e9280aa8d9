"""The health check, ``/healthz``: a public page that says the server answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from hireproof.views.decorators import public_view


@public_view
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """``ok``: the server answers (no database work; the benchmark's baseline)."""
    return HttpResponse("ok\n", content_type="text/plain")
