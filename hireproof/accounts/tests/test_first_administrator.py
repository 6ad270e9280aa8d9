"""The first administrator that ``hireproof serve`` creates, and its one-time link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from hireproof.accounts.actions import StaffChangeRefused, do_create_first_administrator
from hireproof.accounts.models import User
from hireproof.accounts.roles import Role
from hireproof.cli.serve import announce_first_administrator
from hireproof.core.errors import HireproofError
from hireproof.testing.personas import make_staff

LINK = re.compile(r"http://testserver(/accounts/password/set/\S+/)")
CHOSEN = "walnut-ferry-62-quartz"


def test_it_creates_an_administrator_without_a_password_when_there_is_none(
    db: Any, events: Any
) -> None:
    admin = do_create_first_administrator(email="Boss@Example.org")
    assert admin is not None
    assert (admin.email, admin.role, admin.has_set_password) == (
        "boss@example.org",
        Role.ADMINISTRATOR,
        False,
    )
    assert events() == [("staff.invited", "system", {"user_id": admin.pk, "role": "administrator"})]


def test_it_creates_nothing_when_an_active_administrator_exists(administrator: User) -> None:
    assert do_create_first_administrator(email="boss@example.org") is None
    assert User.objects.count() == 1


def test_it_refuses_an_address_that_belongs_to_someone_else(recruiter: User) -> None:
    with pytest.raises(StaffChangeRefused, match=re.escape("rosa@example.org already belongs")):
        do_create_first_administrator(email="rosa@example.org")


def test_serve_prints_a_link_that_lets_the_administrator_choose_a_password(
    db: Any, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HIREPROOF_ADMIN_EMAIL", "boss@example.org")
    announce_first_administrator("http://testserver")
    printed = capsys.readouterr().out
    assert "To choose one for boss@example.org, open this one-time link:" in printed
    match = LINK.search(printed)
    assert match

    client = Client()
    form = client.get(match.group(1), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": CHOSEN, "new_password2": CHOSEN})
    assert User.objects.get(email="boss@example.org").check_password(CHOSEN)

    announce_first_administrator("http://testserver")
    assert capsys.readouterr().out == ""


def test_serve_prints_a_fresh_link_while_no_administrator_has_a_password(
    db: Any, capsys: Any
) -> None:
    make_staff("Ada Lovelace", "ada@example.org", Role.ADMINISTRATOR, with_password=False)
    announce_first_administrator("http://testserver")
    assert "To choose one for ada@example.org" in capsys.readouterr().out
    assert User.objects.count() == 1


def test_serve_explains_an_admin_email_that_is_taken(recruiter: User, monkeypatch: Any) -> None:
    monkeypatch.setenv("HIREPROOF_ADMIN_EMAIL", "rosa@example.org")
    with pytest.raises(HireproofError, match="set HIREPROOF_ADMIN_EMAIL to a new address"):
        announce_first_administrator("http://testserver")
