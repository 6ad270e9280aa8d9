"""The settings of each ATS: which fields its page asks for, and the form that holds them.

Secrets (an ATS's API key or token, Lever's webhook signature token) are write-only: the form
never renders a value, an empty field keeps what is saved, and a "clear" box removes it. An API
address is checked with the SSRF guard's ``parse_url`` (by the action too, for every surface).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms

from hireproof.hiring.actions.connections import KEEP, ConnectionChange
from hireproof.hiring.models.orders import Ats, AtsConnection
from hireproof.platform.outbound import OutboundRefused, parse_url

TAG_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _:.-]{0,39}$")
STAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


@dataclass(frozen=True)
class Secret:
    """A write-only setting: the connection's field and its label."""

    name: str  # "ats_secret" or "signing_secret"
    label: str
    help: str


@dataclass(frozen=True)
class AtsSettings:
    """What one ATS's page asks for."""

    base_url: str | None = None  # the API's default address, when the ATS has one to set
    secrets: tuple[Secret, ...] = ()
    lever_options: bool = False  # the trigger stage and the tag prefix


SETTINGS: dict[Ats, AtsSettings] = {
    Ats.GREENHOUSE: AtsSettings(),
    Ats.ASHBY: AtsSettings(
        base_url="https://api.ashbyhq.com",
        secrets=(
            Secret(
                "ats_secret",
                "Ashby API key",
                "An Ashby API key with the assessments permission, for the results hireproof "
                "sends to Ashby (assessment.update).",
            ),
        ),
    ),
    Ats.WORKABLE: AtsSettings(
        secrets=(
            Secret(
                "ats_secret",
                "Workable's token",
                "The token Workable generated when the integration was created, for the "
                "results hireproof sends to Workable.",
            ),
        ),
    ),
    Ats.LEVER: AtsSettings(
        base_url="https://api.lever.co/v1",
        secrets=(
            Secret(
                "ats_secret",
                "Lever API key",
                "A Lever API key that may write notes and tags on opportunities.",
            ),
            Secret(
                "signing_secret",
                "Webhook signature token",
                "The signature token Lever shows for the Candidate Stage Change webhook.",
            ),
        ),
        lever_options=True,
    ),
}
"""Each ATS's settings (every ATS of ``Ats`` has an entry)."""

DEFAULT_TAG_PREFIX = "hireproof"


class ConnectionForm(forms.Form):
    """One ATS's settings; only the fields its ``AtsSettings`` names are kept."""

    api_base_url = forms.CharField(label="API base URL", max_length=2000)
    ats_secret = forms.CharField(
        label="Secret", required=False, max_length=2000, widget=forms.PasswordInput
    )
    ats_secret_clear = forms.BooleanField(label="Clear the saved value", required=False)
    signing_secret = forms.CharField(
        label="Webhook signature token",
        required=False,
        max_length=2000,
        widget=forms.PasswordInput,
    )
    signing_secret_clear = forms.BooleanField(label="Clear the saved value", required=False)
    trigger_stage_id = forms.CharField(
        label="Trigger stage id",
        required=False,
        max_length=100,
        help_text="The id of the Lever stage that sends the test when an opportunity enters "
        "it (from Lever's stages list).",
    )
    tag_prefix = forms.CharField(
        label="Tag prefix",
        max_length=40,
        help_text="The tag on postings that asks for a test, and the start of the tags "
        "hireproof sets (hireproof-sent, hireproof-scored...).",
    )

    def __init__(self, ats: Ats, data: Any = None, *, connection: AtsConnection | None) -> None:
        self.ats = ats
        self.spec = SETTINGS[ats]
        super().__init__(data, initial=_initial(self.spec, connection))
        kept = set()
        if self.spec.base_url is not None:
            kept.add("api_base_url")
        for secret in self.spec.secrets:
            kept |= {secret.name, f"{secret.name}_clear"}
            field = self.fields[secret.name]
            field.label, field.help_text = secret.label, secret.help
            sealed = getattr(connection, f"{secret.name}_sealed", None)
            saved = connection is not None and sealed is not None
            self.fields[f"{secret.name}_clear"].label = f"Clear the saved {secret.label}"
            field.widget.attrs["placeholder"] = "set: leave empty to keep it" if saved else ""
        if self.spec.lever_options:
            kept |= {"trigger_stage_id", "tag_prefix"}
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]

    def clean_api_base_url(self) -> str:
        url: str = self.cleaned_data["api_base_url"].strip()
        try:
            parse_url(url)
        except OutboundRefused as problem:
            raise forms.ValidationError(f"API base URL: {problem}.") from None
        return url.rstrip("/")

    def clean_trigger_stage_id(self) -> str:
        stage: str = self.cleaned_data["trigger_stage_id"].strip()
        if stage and not STAGE_ID.match(stage):
            raise forms.ValidationError(
                "Trigger stage id: letters, digits, - and _ only (Lever's stage id)."
            )
        return stage

    def clean_tag_prefix(self) -> str:
        prefix: str = self.cleaned_data["tag_prefix"].strip()
        if not TAG_PREFIX.match(prefix):
            raise forms.ValidationError(
                "Tag prefix: 1 to 40 letters, digits, spaces or _ : . -, starting with a "
                "letter or digit."
            )
        return prefix

    def change(self, connection: AtsConnection | None) -> ConnectionChange:
        """The change these settings make to ``connection`` (a new one is switched on)."""
        data = self.cleaned_data
        secrets: dict[str, str | None] = {}
        for secret in self.spec.secrets:
            given = data[secret.name]
            secrets[secret.name] = "" if data[f"{secret.name}_clear"] else (given or KEEP)
        options = dict(connection.options) if connection is not None else {}
        if self.spec.lever_options:
            options.update(trigger_stage_id=data["trigger_stage_id"], tag_prefix=data["tag_prefix"])
        return ConnectionChange(
            enabled=connection.enabled if connection is not None else True,
            api_base_url=data.get("api_base_url", ""),
            ats_secret=secrets.get("ats_secret", KEEP),
            signing_secret=secrets.get("signing_secret", KEEP),
            options=options,
        )


def _initial(spec: AtsSettings, connection: AtsConnection | None) -> dict[str, Any]:
    options = connection.options if connection is not None else {}
    base = connection.api_base_url if connection is not None else ""
    return {
        "api_base_url": base or spec.base_url or "",
        "trigger_stage_id": options.get("trigger_stage_id", ""),
        "tag_prefix": options.get("tag_prefix", DEFAULT_TAG_PREFIX),
    }
