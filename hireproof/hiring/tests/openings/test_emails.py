"""The invitation email's template: placeholders checked, filled safely, subject on one line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hireproof.core.timing import Allowance
from hireproof.hiring.emails import INVITATION_PLACEHOLDERS, check_placeholders, compose_invitation
from hireproof.platform.message_templates import TemplateProblem, fill_template

KNOWN = "{name}, {role}, {link}, {expires}, {time_limit}"


def test_it_fills_every_placeholder_and_keeps_doubled_braces_literal() -> None:
    values = {"name": "Ada", "role": "Analyst", "link": "L", "expires": "E", "time_limit": "30"}
    assert fill_template("Hi {name}: {role} {{x}} {link} {expires} {time_limit}", values) == (
        "Hi Ada: Analyst {x} L E 30"
    )


@pytest.mark.parametrize(
    ("template", "shown"),
    [
        ("Dear {first_name}", "{first_name}"),
        ("{name.__class__}", "{name.__class__}"),
        ("{name!r}", "{name!r}"),
        ("{name:>20}", "{name:>20}"),
        ("{0}", "{0}"),
        ("{}", "{}"),
    ],
)
def test_it_names_an_unknown_placeholder_and_lists_the_known_ones(
    template: str, shown: str
) -> None:
    with pytest.raises(TemplateProblem) as problem:
        check_placeholders(template, INVITATION_PLACEHOLDERS)
    assert str(problem.value) == f"Unknown placeholder {shown}. The placeholders are {KNOWN}."


def test_it_explains_a_stray_brace() -> None:
    with pytest.raises(TemplateProblem) as problem:
        check_placeholders("Price: {name", INVITATION_PLACEHOLDERS)
    assert str(problem.value) == (
        "A '{' or '}' is not part of a placeholder. Write placeholders like {name}; "
        "for a literal brace, write {{ or }}."
    )


def test_the_email_states_the_extended_time_the_expiry_and_a_one_line_subject() -> None:
    email = compose_invitation(
        to="ada@example.org",
        name="Ada Lovelace",
        subject_template="Assessment\nfor {role}",
        body_template="{name}: {time_limit} minutes, until {expires}. {link}",
        role="Data Scientist",
        link="http://testserver/a/tok/",
        expires_at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        allowance=Allowance(30, extra_percent=25),
    )
    assert email.to == "ada@example.org"
    assert email.subject == "Assessment for Data Scientist"
    assert email.body == (
        "Ada Lovelace: 37.5 minutes, until Tuesday 1 December 2026, 12:00 UTC. "
        "http://testserver/a/tok/"
    )
