"""Forms of the interview pages: assigning interviewers, the scorecard (from the kit), amending
it, and the opening's notice templates. Every message says what is wrong and where."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.core.playbook import InterviewKit, InterviewQuestion
from hireproof.core.scoring import InterviewScorecard
from hireproof.hiring.actions.interviews import MAX_NOTES_CHARS, MAX_REASON_CHARS, MIN_REASON_CHARS
from hireproof.hiring.emails import ALL_IN_PLACEHOLDERS, ASSIGNED_PLACEHOLDERS
from hireproof.platform.message_templates import TemplateProblem, check_template

# How far from today an interview date may be: past ones are recorded late, future ones planned.
SCHEDULE_WINDOW = timedelta(days=366)


if TYPE_CHECKING:  # the field is generic in the type stubs only
    _StaffChoices = forms.ModelMultipleChoiceField[User]
else:
    _StaffChoices = forms.ModelMultipleChoiceField


class InterviewerChoice(_StaffChoices):
    """Interviewers listed by name and email."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"

    listed: frozenset[str] = frozenset()  # the ids offered, as the form posts them

    def _check_values(self, value: Any) -> Any:
        # Compare with the ids offered before any query: a tampered id too large for the
        # database's integer would otherwise fail inside it (a 500, not a message).
        for chosen in value:
            if str(chosen) not in self.listed:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": chosen},
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django's, not in the stubs


class AssignForm(forms.Form):
    """Choose one or more interviewers and, optionally, when the interview takes place."""

    interviewers = InterviewerChoice(
        label="Interviewers",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one interviewer.",
            "invalid_choice": "Choose among the interviewers listed: one of them is not.",
        },
    )
    scheduled_for = forms.DateTimeField(
        label="Date and time (UTC, optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        error_messages={"invalid": "Write the date and time like 2026-05-04 14:30."},
    )

    def __init__(self, *args: Any, choices: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["interviewers"]
        assert isinstance(field, InterviewerChoice)
        field.queryset = User.objects.filter(pk__in=[user.pk for user in choices])
        field.listed = frozenset(str(user.pk) for user in choices)

    def clean_scheduled_for(self) -> datetime | None:
        """The date, unless it is more than a year away: a mistyped year (0026, 2062) would
        otherwise reach the interviewers' email as it is."""
        moment: datetime | None = self.cleaned_data["scheduled_for"]
        if moment is not None and abs(moment - timezone.now()) > SCHEDULE_WINDOW:
            raise ValidationError(
                f"{moment.date().isoformat()} {moment:%H:%M} is more than a year from today: "
                "check the year."
            )
        return moment


@dataclass(frozen=True)
class QuestionFields:
    """One kit question with its rating radios and red-flag checkboxes."""

    number: int
    question: InterviewQuestion
    rating: forms.BoundField
    flags: forms.BoundField


def rating_field_name(question_id: str) -> str:
    """The form field that carries the rating of ``question_id``."""
    return f"rating-{question_id}"


def flags_field_name(question_id: str) -> str:
    """The form field that carries the red flags ticked on ``question_id``."""
    return f"flags-{question_id}"


class ScorecardForm(forms.Form):
    """The scorecard for the pinned kit: a rating per question, red flags, notes.

    With ``amend`` a reason is required as well.
    """

    notes = forms.CharField(
        label="Notes",
        required=False,
        strip=True,
        max_length=MAX_NOTES_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the candidate said and did that supports your ratings. "
        "The notes are about the candidate: they are erased with the candidate's data.",
    )

    def __init__(self, *args: Any, kit: InterviewKit, amend: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kit = kit
        scale = [(str(a.value), f"{a.value} – {a.label}") for a in kit.scale]
        for number, question in enumerate(kit.questions, start=1):
            where = f"question {number} ({question.competency})"
            self.fields[rating_field_name(question.id)] = forms.TypedChoiceField(
                label=f"Rating for {where}",
                choices=scale,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose a rating for {where}.",
                    "invalid_choice": f"The rating for {where} must be one of the scale's values.",
                },
            )
            self.fields[flags_field_name(question.id)] = forms.MultipleChoiceField(
                label=f"Red flags for {where}",
                required=False,
                choices=[(f"{question.id}/{flag.id}", flag.text) for flag in question.red_flags],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": f"That is not a red flag of {where}."},
            )
        if amend:
            self.fields["reason"] = forms.CharField(
                label="Reason for the amendment (required)",
                min_length=MIN_REASON_CHARS,
                max_length=MAX_REASON_CHARS,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Kept with both versions and in the audit log.",
                error_messages={
                    "required": "Give the reason for the amendment.",
                    "min_length": f"Give the reason in at least {MIN_REASON_CHARS} characters.",
                },
            )

    @classmethod
    def initial_from(
        cls, ratings: Mapping[str, int], red_flags: Sequence[str], notes: str
    ) -> dict[str, Any]:
        """The form's initial values from a saved scorecard (to start an amendment from)."""
        initial: dict[str, Any] = {"notes": notes}
        for question_id, value in ratings.items():
            initial[rating_field_name(question_id)] = str(value)
        for ticked in red_flags:
            question_id = ticked.split("/", 1)[0]
            initial.setdefault(flags_field_name(question_id), []).append(ticked)
        return initial

    def questions(self) -> Iterator[QuestionFields]:
        """Each question with its bound fields, in the kit's order (for the template)."""
        for number, question in enumerate(self.kit.questions, start=1):
            yield QuestionFields(
                number,
                question,
                self[rating_field_name(question.id)],
                self[flags_field_name(question.id)],
            )

    def card(self, interviewer: str) -> InterviewScorecard:
        """The scorecard as the core reads it, after ``is_valid()``: the one shape ratings
        keep from here to the decision."""
        return InterviewScorecard(
            interviewer=interviewer,
            ratings=self.ratings(),
            red_flags=tuple(self.red_flags()),
            notes=self.cleaned_data["notes"],
        )

    def ratings(self) -> dict[str, int]:
        """Question id -> rating, after ``is_valid()``."""
        return {q.id: self.cleaned_data[rating_field_name(q.id)] for q in self.kit.questions}

    def red_flags(self) -> list[str]:
        """The ``"question/flag"`` ids ticked, in the kit's order, after ``is_valid()``."""
        return [
            ticked
            for q in self.kit.questions
            for ticked in self.cleaned_data.get(flags_field_name(q.id), [])
        ]


class EmailTemplatesForm(forms.Form):
    """The opening's two interview notices."""

    assigned_subject = forms.CharField(
        label="Subject of the notice to an interviewer", max_length=200
    )
    assigned_body = forms.CharField(
        label="Text of the notice to an interviewer",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Placeholders: "
        + ", ".join("{" + p + "}" for p in ASSIGNED_PLACEHOLDERS)
        + ". Do not add scores: the email leaves the site.",
    )
    all_in_subject = forms.CharField(
        label="Subject of the notice that all scorecards are in", max_length=200
    )
    all_in_body = forms.CharField(
        label="Text of the notice that all scorecards are in",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Placeholders: " + ", ".join("{" + p + "}" for p in ALL_IN_PLACEHOLDERS) + ".",
    )

    def clean_assigned_subject(self) -> str:
        return _checked(self.cleaned_data["assigned_subject"], ASSIGNED_PLACEHOLDERS)

    def clean_assigned_body(self) -> str:
        body = _checked(self.cleaned_data["assigned_body"], ASSIGNED_PLACEHOLDERS)
        if "{link}" not in body:
            raise ValidationError("The text must contain {link}: the interviewer's way to the kit.")
        return body

    def clean_all_in_subject(self) -> str:
        return _checked(self.cleaned_data["all_in_subject"], ALL_IN_PLACEHOLDERS)

    def clean_all_in_body(self) -> str:
        return _checked(self.cleaned_data["all_in_body"], ALL_IN_PLACEHOLDERS)


def _checked(text: str, placeholders: Sequence[str]) -> str:
    # Browsers send CRLF line ends; the email is composed with LF, as the defaults are.
    text = text.replace("\r\n", "\n")
    try:
        check_template(text, placeholders)
    except TemplateProblem as problem:
        raise ValidationError(str(problem)) from None
    return text
