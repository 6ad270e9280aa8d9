"""The webhooks pages: every endpoint and a new one; an endpoint's settings, its deliveries
(status, tries, next try, each try's answer) and its actions: pause, resume, rotate the secret,
delete, replay a delivery. All need ``MANAGE_WEBHOOKS`` (administrators); every change is an
audited action (``hireproof.hiring.actions.webhooks``). A secret is shown once, on the page
that answers its creation or rotation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hireproof.accounts.roles import Permission
from hireproof.hiring.access import (
    access_site,
    access_webhook_delivery,
    access_webhook_endpoint,
)
from hireproof.hiring.actions.webhooks import (
    WebhookRefused,
    do_change_webhook_endpoint,
    do_create_webhook_endpoint,
    do_delete_webhook_endpoint,
    do_pause_webhook_endpoint,
    do_replay_webhook_delivery,
    do_resume_webhook_endpoint,
    do_rotate_webhook_secret,
)
from hireproof.hiring.models.webhooks import WebhookEndpoint
from hireproof.hiring.reads.webhooks import endpoint_deliveries, endpoint_rows
from hireproof.platform.outbound import allow_private
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.webhooks import ConfirmDeleteForm, WebhookEndpointForm
from hireproof.views.staff.http import acting_user, form_status, posted


def _refused(form: WebhookEndpointForm, refusal: WebhookRefused) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))


@staff_view
def endpoints(request: HttpRequest) -> HttpResponse:
    """Every endpoint with its state; the form for a new one."""
    admin = access_site(request.user, Permission.MANAGE_WEBHOOKS)
    form = WebhookEndpointForm(posted(request))
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = do_create_webhook_endpoint(
                actor=admin,
                url=data["url"],
                events=list(data["events"]),
                description=data["description"],
            )
        except WebhookRefused as refusal:
            _refused(form, refusal)
        else:
            form = WebhookEndpointForm()
    context = {
        "rows": endpoint_rows(),
        "form": form,
        "created": created,
        "allow_private": allow_private(),
    }
    status = 201 if created else form_status(request)
    return render(request, "webhooks/endpoints.html", context, status=status)


@staff_view
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """One endpoint: its notice when paused, its deliveries, and the form to change it."""
    found = access_webhook_endpoint(request.user, endpoint_id, Permission.MANAGE_WEBHOOKS)
    initial = {"url": found.url, "events": found.event_names, "description": found.description}
    form = WebhookEndpointForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_change_webhook_endpoint(
                actor=acting_user(request),
                endpoint=found,
                url=data["url"],
                events=list(data["events"]),
                description=data["description"],
            )
        except WebhookRefused as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, "The endpoint was saved.")
            return redirect("webhooks:endpoint", endpoint_id=found.pk)
    return _endpoint_page(request, found, form, status=form_status(request))


def _endpoint_page(
    request: HttpRequest,
    found: WebhookEndpoint,
    form: WebhookEndpointForm,
    *,
    status: int = 200,
    secret: str = "",
    delete_form: ConfirmDeleteForm | None = None,
) -> HttpResponse:
    context = {
        "endpoint": found,
        "form": form,
        "delete_form": delete_form or ConfirmDeleteForm(),
        "deliveries": endpoint_deliveries(found),
        "secret": secret,
    }
    return render(request, "webhooks/endpoint.html", context, status=status)


@require_POST
@staff_view
def pause(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Stop sending to the endpoint; deliveries wait."""
    found = access_webhook_endpoint(request.user, endpoint_id, Permission.MANAGE_WEBHOOKS)
    do_pause_webhook_endpoint(actor=acting_user(request), endpoint=found)
    messages.success(request, "The endpoint is paused: its deliveries wait until it is resumed.")
    return redirect("webhooks:endpoint", endpoint_id=found.pk)


@require_POST
@staff_view
def resume(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Send to the endpoint again, starting with what waited."""
    found = access_webhook_endpoint(request.user, endpoint_id, Permission.MANAGE_WEBHOOKS)
    queued = do_resume_webhook_endpoint(actor=acting_user(request), endpoint=found)
    messages.success(request, f"The endpoint is resumed; {queued} waiting deliveries are sent now.")
    return redirect("webhooks:endpoint", endpoint_id=found.pk)


@require_POST
@staff_view
def rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """A new secret, shown once; the old one keeps signing for the overlap."""
    found = access_webhook_endpoint(request.user, endpoint_id, Permission.MANAGE_WEBHOOKS)
    secret = do_rotate_webhook_secret(actor=acting_user(request), endpoint=found)
    form = WebhookEndpointForm(
        initial={"url": found.url, "events": found.event_names, "description": found.description}
    )
    return _endpoint_page(request, found, form, secret=secret)


@require_POST
@staff_view
def delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Delete the endpoint and its deliveries, once the box is ticked."""
    found = access_webhook_endpoint(request.user, endpoint_id, Permission.MANAGE_WEBHOOKS)
    confirm = ConfirmDeleteForm(request.POST)
    if not confirm.is_valid():
        form = WebhookEndpointForm(
            initial={
                "url": found.url,
                "events": found.event_names,
                "description": found.description,
            }
        )
        return _endpoint_page(
            request, found, form, status=form_status(request), delete_form=confirm
        )
    do_delete_webhook_endpoint(actor=acting_user(request), endpoint=found)
    messages.success(request, "The endpoint was deleted.")
    return redirect("webhooks:endpoints")


@require_POST
@staff_view
def replay(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    """Send one delivery again, now, with its own webhook-id."""
    delivery = access_webhook_delivery(
        request.user, endpoint_id, delivery_id, Permission.MANAGE_WEBHOOKS
    )
    try:
        do_replay_webhook_delivery(actor=acting_user(request), delivery=delivery)
    except WebhookRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("webhooks:endpoint", endpoint_id=endpoint_id)
    messages.success(request, f"{delivery.event} {delivery.message_id} is sent again now.")
    return redirect("webhooks:endpoint", endpoint_id=endpoint_id)
