"""Forms of the openings pages: an opening, a candidate, a CSV file, an invitation, an erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict

from hireproof.hiring.actions.candidates import NewCandidate
from hireproof.hiring.actions.erasure import ErasureBasis
from hireproof.hiring.emails import INVITATION_PLACEHOLDERS, check_placeholders
from hireproof.hiring.models.accommodation import (
    ALLOWED_PERCENTS,
    MAX_EXTRA_MINUTES,
    Accommodation,
    AccommodationError,
)
from hireproof.hiring.models.candidates import (
    Candidate,
    Invitation,
    email_lookup_for,
    normalise_candidate_email,
)
from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT, Opening
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.platform.message_templates import TemplateProblem
from hireproof.views.staff.csv_import import MAX_FILE_BYTES, refused_character

MAX_INVITATION_DAYS = 90
_PLACEHOLDER_HELP = (
    "Placeholders: " + ", ".join("{" + name + "}" for name in INVITATION_PLACEHOLDERS) + "."
)


if TYPE_CHECKING:  # the field is generic in the type stubs only
    _VersionChoice = forms.ModelChoiceField[PlaybookVersion]
else:
    _VersionChoice = forms.ModelChoiceField


class PlaybookVersionChoice(_VersionChoice):
    """A published version, labelled so versions of one playbook can be told apart."""

    def label_from_instance(self, obj: PlaybookVersion) -> str:
        return f"{obj.title} — {obj.playbook_id} {obj.version} ({obj.short_hash})"


class OpeningDetailsForm(forms.Form):
    """What can change on an opening: its title, link validity and invitation email."""

    title = forms.CharField(label="Job title", max_length=200)
    invitation_days = forms.IntegerField(
        label="Invitation links stay valid for (days)",
        min_value=1,
        max_value=MAX_INVITATION_DAYS,
        initial=7,
    )
    email_subject = forms.CharField(
        label="Invitation email subject",
        max_length=200,
        initial=DEFAULT_EMAIL_SUBJECT,
        help_text=_PLACEHOLDER_HELP,
    )
    email_body = forms.CharField(
        label="Invitation email text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        initial=DEFAULT_EMAIL_BODY,
        help_text=_PLACEHOLDER_HELP + " The text must contain {link}: it is the candidate's "
        "personal link.",
    )

    def clean_email_subject(self) -> str:
        return _checked_template(self.cleaned_data["email_subject"], "subject")

    def clean_email_body(self) -> str:
        # Browsers send CRLF line ends; the email is composed with LF, as the default is.
        text = str(self.cleaned_data["email_body"]).replace("\r\n", "\n")
        body = _checked_template(text, "text")
        if "{link}" not in body:
            raise ValidationError(
                "The email text must contain {link}, or the candidate gets no way to start."
            )
        return body

    @classmethod
    def for_opening(cls, opening: Opening, data: QueryDict | None = None) -> OpeningDetailsForm:
        """The form filled in with ``opening``'s current values."""
        initial = {
            "title": opening.title,
            "invitation_days": opening.invitation_days,
            "email_subject": opening.email_subject,
            "email_body": opening.email_body,
        }
        return cls(data, initial=initial)


class NewOpeningForm(OpeningDetailsForm):
    """A new opening also chooses its playbook version, which is pinned for good."""

    playbook_version = PlaybookVersionChoice(
        label="Playbook version",
        queryset=PlaybookVersion.objects.order_by("playbook_id", "-published_at", "-pk"),
        help_text="The opening uses this version for good: every candidate is assessed "
        "against exactly the same questions and rubric.",
    )

    field_order = ["title", "playbook_version", "invitation_days", "email_subject", "email_body"]


def _checked_template(text: str, which: str) -> str:
    try:
        check_placeholders(text, INVITATION_PLACEHOLDERS)
    except TemplateProblem as problem:
        raise ValidationError(f"In the email {which}: {problem}") from None
    return text


class CandidateForm(forms.Form):
    """One candidate: their name and email address."""

    name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args: Any, opening: Opening, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opening = opening

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"])
        _refuse_control_characters(name, "name")
        return name

    def clean_email(self) -> str:
        email = normalise_candidate_email(str(self.cleaned_data["email"]))
        lookup = email_lookup_for(email)
        if Candidate.objects.filter(opening=self.opening, email_lookup=lookup).exists():
            raise ValidationError(f"{email} is already a candidate in this opening.")
        return email

    def new_candidate(self) -> NewCandidate:
        """The validated candidate."""
        return NewCandidate(name=self.cleaned_data["name"], email=self.cleaned_data["email"])


def _refuse_control_characters(text: str, what: str) -> None:
    """Refuse what the CSV import refuses in a cell: a control character or line separator."""
    found = refused_character(text)
    if found is not None:
        raise ValidationError(
            f"The {what} holds a control character ({found}), which no {what} may hold; remove it."
        )


class CandidateCsvForm(forms.Form):
    """A CSV file of candidates (checked row by row by ``csv_import``)."""

    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, a header row with the columns name, email and optionally extra_time "
        "(separated by commas or semicolons) "
        f"(25%, 50%, 100% or minutes such as 15 min); at most {MAX_FILE_BYTES // 1_000_000} MB.",
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        size = upload.size or 0
        if size > MAX_FILE_BYTES:
            raise ValidationError(
                f"The file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} "
                "(about 10,000 candidates). Split it into smaller files."
            )
        return upload


class InvitationForm(forms.Form):
    """Extra time for this candidate, if they need it; none by default."""

    extra_percent = forms.TypedChoiceField(
        label="Extra time as a share of the time limit",
        choices=[(0, "None"), *((p, f"+{p}% (x{1 + p / 100:g})") for p in ALLOWED_PERCENTS)],
        coerce=int,
        initial=0,
        required=False,
        empty_value=0,  # type: ignore[arg-type]  # an int choice: 0 is none
    )
    extra_minutes = forms.IntegerField(
        label="Or extra minutes",
        min_value=0,
        max_value=MAX_EXTRA_MINUTES,
        initial=0,
        required=False,
        help_text="Extra time applies to the whole assessment. Choose a share or minutes, "
        "not both.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        percent = cleaned.get("extra_percent") or 0
        minutes = cleaned.get("extra_minutes") or 0
        if "extra_percent" in cleaned and "extra_minutes" in cleaned:
            try:
                cleaned["accommodation"] = Accommodation(percent, minutes)
            except AccommodationError as error:
                raise ValidationError(str(error)) from None
        return cleaned

    @classmethod
    def for_candidate(cls, candidate: Candidate, data: QueryDict | None = None) -> InvitationForm:
        """The form starting from the extra time the candidate asked for on import."""
        initial = {
            "extra_percent": candidate.requested_extra_percent,
            "extra_minutes": candidate.requested_extra_minutes,
        }
        return cls(data, initial=initial)

    @classmethod
    def for_invitation(
        cls, invitation: Invitation, data: QueryDict | None = None
    ) -> InvitationForm:
        """The form starting from the extra time ``invitation`` grants now."""
        initial = {
            "extra_percent": invitation.extra_time_percent,
            "extra_minutes": invitation.extra_minutes,
        }
        return cls(data, initial=initial)


class EraseCandidateForm(forms.Form):
    """Why the data is erased, and an explicit confirmation: erasure cannot be undone."""

    basis = forms.ChoiceField(label="Reason", choices=ErasureBasis.choices)
    confirm = forms.BooleanField(
        label="I understand that the name, email and answers are destroyed for good.",
        error_messages={"required": "Tick the box to confirm the erasure."},
    )
