"""The read-only report an ATS links to (``/reports/<token>/``): no account, the signed link is
the credential (``access_order_report``). A GET only; never stored by a browser or a proxy,
never indexed, never sent on as a referrer. An expired link answers 410 and says how to get a
fresh one; an altered one is the 404 of a missing page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from hireproof.hiring.access import ReportLinkExpired, access_order_report
from hireproof.hiring.reads.order_report import order_report as read_report
from hireproof.views.decorators import public_view


@public_view
@require_GET
def order_report(request: HttpRequest, token: str) -> HttpResponse:
    """The hiring file's summary for one assessment order."""
    try:
        order = access_order_report(token)
    except ReportLinkExpired:
        response = render(request, "reports/expired.html", status=410)
    else:
        report = read_report(order, timezone.now())
        response = render(request, "reports/order.html", {"report": report})
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
