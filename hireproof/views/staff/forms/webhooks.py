"""The webhook endpoint form: its URL, its events and a description (checked by the action)."""

from __future__ import annotations

from django import forms

from hireproof.hiring.webhooks import EVENTS


class WebhookEndpointForm(forms.Form):
    """A new endpoint, or an endpoint's changes."""

    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="Where deliveries are POSTed: https:// (or http://) on a public address.",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(name, f"{name}: {meaning}") for name, meaning in EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label="Description", max_length=200, required=False, help_text="What receives them."
    )


class ConfirmDeleteForm(forms.Form):
    """Deleting an endpoint takes its deliveries with it: the box must be ticked."""

    confirm = forms.BooleanField(
        label="Delete this endpoint and every delivery it has", required=True
    )
