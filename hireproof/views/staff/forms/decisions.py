"""The forms of the decision page and of the notice settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from hireproof.hiring.actions.decisions import MAX_REASON_CHARS, MIN_REASON_CHARS
from hireproof.hiring.emails import DECISION_PLACEHOLDERS, check_placeholders
from hireproof.hiring.models.decisions import NoticeSettings, Outcome
from hireproof.platform.message_templates import TemplateProblem


def _text_field(label: str, help_text: str, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={
            "required": f"Write the {label.lower()}: at least {MIN_REASON_CHARS} characters.",
            "max_length": (
                f"The {label.lower()} is too long: keep it under {MAX_REASON_CHARS} characters "
                "(it has %(show_value)d)."
            ),
        },
    )


class DecisionForm(forms.Form):
    """The decision, its written reason, and a justification when it goes against the advice."""

    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision: hire, no hire or withdrawn."},
    )
    reason = _text_field(
        "Reason",
        f"At least {MIN_REASON_CHARS} characters. Kept in the hiring file; an auditor reads it.",
        required=True,
    )
    justification = _text_field(
        "Justification",
        "Required when the decision goes against the recommendation or hires despite a "
        "critical_fail: say why.",
        required=False,
    )
    # The hash of the recommendation shown: a decision is refused if it changed meanwhile.
    recommendation = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


if TYPE_CHECKING:  # the form is generic in the type stubs only
    _NoticeSettingsModelForm = forms.ModelForm[NoticeSettings]
else:
    _NoticeSettingsModelForm = forms.ModelForm


class NoticeSettingsForm(_NoticeSettingsModelForm):
    """The candidate's decision email for one opening, and whether it shares scores."""

    # Not stripped: the final newline is part of the email, and an unchanged body must
    # compare equal to the saved one.
    hire_body = forms.CharField(
        label="Email when hired", strip=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    no_hire_body = forms.CharField(
        label="Email when not hired", strip=False, widget=forms.Textarea(attrs={"rows": 10})
    )

    class Meta:
        model = NoticeSettings
        fields = ["share_scores", "hire_subject", "hire_body", "no_hire_subject", "no_hire_body"]
        labels = {
            "share_scores": "Tell candidates their scores",
            "hire_subject": "Subject when hired",
            "no_hire_subject": "Subject when not hired",
        }

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        for field in ("hire_subject", "hire_body", "no_hire_subject", "no_hire_body"):
            value = cleaned.get(field)
            if isinstance(value, str):
                try:
                    check_placeholders(value, DECISION_PLACEHOLDERS)
                except TemplateProblem as problem:
                    self.add_error(field, str(problem))
        return cleaned
