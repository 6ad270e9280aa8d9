"""The API keys page: every key, a new key (shown once), and revoking one.

Needs ``MANAGE_API_KEYS`` (administrators). A new key is shown on the page that answers the
form, once, and never again: only its hash is kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hireproof.accounts.actions import ApiKeyRefused, do_create_api_key, do_revoke_api_key
from hireproof.accounts.models import ApiKey
from hireproof.accounts.roles import SCOPE_PERMISSIONS, Permission, Scope
from hireproof.hiring.access import access_site
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.accounts import ApiKeyForm
from hireproof.views.staff.http import form_status, posted


@staff_view
def api_keys(request: HttpRequest) -> HttpResponse:
    """Every key with its owner, scopes, expiry and last use; the form for a new one."""
    admin = access_site(request.user, Permission.MANAGE_API_KEYS)
    form = ApiKeyForm(posted(request))
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, raw = do_create_api_key(
                actor=admin,
                name=data["name"],
                owner=data["owner"],
                scopes=list(data["scopes"]),
                expires_in_days=data["expires_in_days"],
            )
        except ApiKeyRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            created = (key, raw)
            form = ApiKeyForm()
    context = {
        "keys": ApiKey.objects.select_related("owner").order_by("-created_at", "-pk"),
        "form": form,
        "created": created,
        "now": timezone.now(),
        "scopes": [
            (scope.value, sorted(p.value for p in SCOPE_PERMISSIONS[scope])) for scope in Scope
        ],
    }
    status = 201 if created else form_status(request)
    return render(request, "accounts/api_keys.html", context, status=status)


@require_POST
@staff_view
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    """Revoke one key, for good."""
    admin = access_site(request.user, Permission.MANAGE_API_KEYS)
    key = ApiKey.objects.filter(pk=key_id).first()
    if key is None:
        messages.error(request, "There is no such key.")
    else:
        do_revoke_api_key(actor=admin, key=key)
        messages.success(request, f"The key {key.name!r} no longer works.")
    return redirect("accounts:api_keys")
