"""The integrations settings pages: every ATS with its state, and one ATS's page (connect,
change, rotate the key, switch off and on, send a test event, its recent exchanges).

All need ``MANAGE_INTEGRATIONS`` (administrators); every change is ``do_save_connection``
(``ats.connection_changed``), the test event ``do_send_test_event`` (its exchanges). The
hireproof key an ATS calls with is shown once, on the page that answers its creation (connect,
or rotate); secrets are never shown, only whether they are set. The addresses the ATS calls are
the site's own patterns under ``/integrations/`` named ``<ats>_<call>``, at
``HIREPROOF_SITE_URL``.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import access_integration, access_site, may
from hireproof.hiring.actions.connections import (
    KEYED,
    ConnectionRefused,
    current_change,
    do_save_connection,
    do_send_test_event,
    why_no_test_event,
)
from hireproof.hiring.models.orders import Ats, AtsConnection
from hireproof.hiring.reads.integrations import (
    connection_of,
    failed,
    integration_rows,
    recent_exchanges,
)
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.integrations import SETTINGS, ConnectionForm
from hireproof.views.staff.http import REFUSED, acting_user, form_status, posted

INTEGRATIONS_NAMESPACE = "integrations"
MAX_ID_DIGITS = 19


@staff_view
def integrations(request: HttpRequest) -> HttpResponse:
    """Every ATS: not connected, on or off; its last exchange and failures of the last day."""
    access_site(request.user, Permission.MANAGE_INTEGRATIONS)
    rows = integration_rows(timezone.now())
    return render(request, "integrations/list.html", {"rows": rows})


@staff_view
def integration(request: HttpRequest, ats: str) -> HttpResponse:
    """One ATS's page; a POST connects it (a new key, shown once) or saves its settings."""
    found = access_integration(request.user, ats, Permission.MANAGE_INTEGRATIONS)
    if request.method == "GET" and request.headers.get("HX-Request") == "true":
        return _exchange_rows(request, found)
    connection = connection_of(found)
    form = ConnectionForm(found, posted(request), connection=connection)
    if request.method == "POST" and form.is_valid():
        connecting = connection is None
        change = replace(form.change(connection), new_key=connecting and found in KEYED)
        try:
            saved = do_save_connection(actor=acting_user(request), ats=found, change=change)
        except ConnectionRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            if connecting:
                messages.success(request, f"{found.label} is connected and switched on.")
                return _page(request, found, new_key=saved.api_key_raw, status=201)
            messages.success(request, f"The {found.label} settings were saved.")
            return redirect("integrations_settings:ats", ats=found.value)
    return _page(request, found, form=form, status=form_status(request))


@require_POST
@staff_view
def rotate(request: HttpRequest, ats: str) -> HttpResponse:
    """A new hireproof key for the ATS, shown once; the key before it stops working now."""
    found = access_integration(request.user, ats, Permission.MANAGE_INTEGRATIONS)
    connection = connection_of(found)
    if connection is None or found not in KEYED:
        messages.error(request, f"{found.label} has no hireproof key to rotate.")
        return redirect("integrations_settings:ats", ats=found.value)
    change = replace(current_change(connection), new_key=True)
    saved = do_save_connection(actor=acting_user(request), ats=found, change=change)
    messages.success(request, "A new key was made; the key before it no longer works.")
    return _page(request, found, new_key=saved.api_key_raw)


@require_POST
@staff_view
def switch_off(request: HttpRequest, ats: str) -> HttpResponse:
    """Switch the connection off: hireproof stops sending to the ATS."""
    found = access_integration(request.user, ats, Permission.MANAGE_INTEGRATIONS)
    return _switch(request, found, enabled=False)


@require_POST
@staff_view
def switch_on(request: HttpRequest, ats: str) -> HttpResponse:
    """Switch the connection on again."""
    found = access_integration(request.user, ats, Permission.MANAGE_INTEGRATIONS)
    return _switch(request, found, enabled=True)


def _switch(request: HttpRequest, ats: Ats, *, enabled: bool) -> HttpResponse:
    connection = connection_of(ats)
    if connection is None:
        messages.error(request, f"{ats.label} is not connected: connect it first.")
    else:
        change = replace(current_change(connection), enabled=enabled)
        do_save_connection(actor=acting_user(request), ats=ats, change=change)
        messages.success(request, f"{ats.label} is switched {'on' if enabled else 'off'}.")
    return redirect("integrations_settings:ats", ats=ats.value)


@require_POST
@staff_view
def send_test(request: HttpRequest, ats: str) -> HttpResponse:
    """Send the ATS's test event with the saved connection; say what happened."""
    found = access_integration(request.user, ats, Permission.MANAGE_INTEGRATIONS)
    try:
        outcomes = do_send_test_event(actor=acting_user(request), ats=found)
    except ConnectionRefused as refusal:
        messages.error(request, f"No test event was sent: {refusal}")
        return redirect("integrations_settings:ats", ats=found.value)
    for outcome in outcomes:
        if outcome.accepted:
            messages.success(request, f"Test event: {outcome.words}")
        else:
            messages.error(request, f"Test event: {outcome.words}")
    return redirect("integrations_settings:ats", ats=found.value)


def addresses(ats: Ats) -> list[str]:
    """The full addresses of the endpoints ``ats`` calls (patterns named ``<ats>_<call>``
    under ``/integrations/``), at ``HIREPROOF_SITE_URL``."""
    found = []
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace != INTEGRATIONS_NAMESPACE:
            continue
        for pattern in entry.url_patterns:
            name = pattern.name if isinstance(pattern, URLPattern) else None
            if not name or not name.startswith(f"{ats.value}_"):
                continue
            try:
                path = reverse(f"{INTEGRATIONS_NAMESPACE}:{name}")
            except NoReverseMatch:  # a pattern with arguments: not an address to paste
                continue
            found.append(settings.HIREPROOF_SITE_URL + path)
    return found


def _filters(request: HttpRequest) -> tuple[bool, int | None, str]:
    """``failed`` and ``before`` from the query, and what is wrong with them ("" if nothing)."""
    failed_only = request.GET.get("failed") == "1"
    given = request.GET.get("before", "")
    if not given:
        return failed_only, None, ""
    if not given.isascii() or not given.isdigit() or len(given) > MAX_ID_DIGITS:
        return failed_only, None, f"before: {given[:40]!r} is not an exchange's number."
    return failed_only, int(given), ""


def _exchange_context(request: HttpRequest, ats: Ats) -> tuple[dict[str, object], str]:
    failed_only, before, problem = _filters(request)
    page = recent_exchanges(ats, failed_only=failed_only, before=before)
    rows = [(exchange, failed(exchange)) for exchange in page.rows]
    context: dict[str, object] = {
        "ats": ats,
        "exchanges": rows,
        "next_before": page.next_before,
        "failed_only": failed_only,
        "paged": before is not None,
        "may_read_candidates": may(request.user, Permission.READ_CANDIDATES),
    }
    return context, problem


def _exchange_rows(request: HttpRequest, ats: Ats) -> HttpResponse:
    """The next rows of the exchanges table, for htmx's "More"."""
    context, problem = _exchange_context(request, ats)
    if problem:
        return HttpResponse(problem, status=REFUSED, content_type="text/plain")
    return render(request, "integrations/_exchanges.html", context)


def _is_set(connection: AtsConnection | None, secret: str) -> bool:
    return connection is not None and getattr(connection, f"{secret}_sealed") is not None


def _page(
    request: HttpRequest,
    ats: Ats,
    *,
    form: ConnectionForm | None = None,
    new_key: str = "",
    status: int = 200,
) -> HttpResponse:
    connection = connection_of(ats)
    exchanges, problem = _exchange_context(request, ats)
    if problem:
        messages.error(request, problem)
        status = REFUSED
    spec = SETTINGS[ats]
    context = {
        **exchanges,
        "ats": ats,
        "connection": connection,
        "form": form or ConnectionForm(ats, connection=connection),
        "keyed": ats in KEYED,
        "new_key": new_key,
        "secrets": [(secret.label, _is_set(connection, secret.name)) for secret in spec.secrets],
        "addresses": addresses(ats),
        "site_url": settings.HIREPROOF_SITE_URL,
        "no_test_event": why_no_test_event(ats),
    }
    return render(request, "integrations/ats.html", context, status=status)
