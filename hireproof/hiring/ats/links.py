"""The full address of a report link (the token is ``models.report_links``)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from hireproof.hiring.models.orders import AssessmentOrder
from hireproof.hiring.models.report_links import report_token


def report_url(order: AssessmentOrder, now: datetime) -> str:
    """The full address of a fresh, signed, expiring link to ``order``'s report."""
    path = reverse("reports:order", kwargs={"token": report_token(order, now)})
    return f"{settings.HIREPROOF_SITE_URL}{path}"
