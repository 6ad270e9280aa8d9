"""Administrators invite staff, change their roles, deactivate and reactivate them; nobody else
reaches these pages. A change refused because of how things stand answers 409 with the staff
list and the reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.actions import (
    StaffChangeRefused,
    do_change_staff_role,
    do_deactivate_staff,
    do_invite_staff,
    do_reactivate_staff,
)
from hireproof.accounts.models import User
from hireproof.accounts.roles import Role
from hireproof.testing.personas import PERSONA_PASSWORD, make_staff

STAFF = reverse("accounts:staff_list")
INVITE = reverse("accounts:staff_invite")
CHOSEN = "harbour-lilac-58-compass"


def invite(client: Client, email: str = "new.person@example.org", role: str = "interviewer") -> Any:
    return client.post(INVITE, {"email": email, "full_name": "Noor Haddad", "role": role})


def set_password_link(body: str) -> str:
    match = re.search(r"http://testserver(/accounts/password/set/\S+/)", body)
    assert match, body
    return match.group(1)


def sign_in(client: Client, email: str, password: str) -> Any:
    return client.post(reverse("accounts:sign_in"), {"username": email, "password": password})


def test_an_invitation_creates_the_user_without_a_password_and_emails_a_link(
    administrator: User,
    administrator_client: Client,
    mailoutbox: Any,
    events: Any,
) -> None:
    response = invite(administrator_client, "New.Person@Example.org")
    assert response.status_code == 302
    member = User.objects.get(email="new.person@example.org")
    assert (member.full_name, member.role, member.is_active) == ("Noor Haddad", "interviewer", True)
    assert member.has_usable_password() is False
    assert [message.to for message in mailoutbox] == [["new.person@example.org"]]
    assert "Ada Lovelace invited you to hireproof as interviewer." in mailoutbox[0].body
    assert events() == [
        (
            "staff.invited",
            f"staff:{administrator.pk}",
            {"user_id": member.pk, "role": "interviewer"},
        )
    ]


def test_an_invited_person_sets_a_password_and_signs_in(
    administrator_client: Client, mailoutbox: Any
) -> None:
    invite(administrator_client)
    newcomer = Client()
    form_page = newcomer.get(set_password_link(mailoutbox[0].body), follow=True)
    assert "Choose your password" in form_page.content.decode()
    newcomer.post(
        form_page.redirect_chain[-1][0], {"new_password1": CHOSEN, "new_password2": CHOSEN}
    )
    assert sign_in(newcomer, "new.person@example.org", CHOSEN).status_code == 302


def test_nothing_is_sent_when_the_invitation_cannot_be_saved(
    administrator: User, mailoutbox: Any, monkeypatch: Any
) -> None:
    def failing_record(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("hireproof.accounts.actions.record_event", failing_record)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        do_invite_staff(
            actor=administrator,
            email="noor@example.org",
            full_name="Noor Haddad",
            role=Role.INTERVIEWER,
            base_url="http://testserver/",
        )
    assert mailoutbox == []
    assert not User.objects.filter(email="noor@example.org").exists()


def test_an_invitation_for_an_address_already_on_the_list_is_refused(
    administrator_client: Client, recruiter: User
) -> None:
    response = invite(administrator_client, "ROSA@example.org")
    assert response.status_code == 400
    assert "Someone with this email is already on the staff list." in response.content.decode()
    assert User.objects.count() == 2


def test_an_invitation_refuses_a_control_character_in_the_name(
    administrator_client: Client, mailoutbox: Any
) -> None:
    response = administrator_client.post(
        INVITE, {"email": "noor@example.org", "full_name": "Noor\x1bHaddad", "role": "auditor"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["full_name"] == [
        "The name holds a control character (character 5 is U+001B (a control character)), "
        "which no name may hold; remove it."
    ]
    assert not User.objects.filter(email="noor@example.org").exists()
    assert mailoutbox == []


def test_a_failed_email_keeps_the_invitation_and_says_so(
    administrator_client: Client, monkeypatch: Any
) -> None:
    def broken_send(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr("hireproof.platform.mail.send_mail", broken_send)
    response = invite(administrator_client)
    page = administrator_client.get(STAFF).content.decode()
    assert response.status_code == 302
    assert "The invitation is saved, but the email could not be sent" in page
    assert User.objects.filter(email="new.person@example.org").exists()
    # Until it leaves, the staff list says so next to the member, with the server's reason.
    assert "email failed: Connection refused" in page
    assert "email failed" in administrator_client.get(STAFF).content.decode()
    monkeypatch.undo()
    administrator_client.post(
        reverse("accounts:staff_resend", args=[User.objects.get(email="new.person@example.org").pk])
    )
    assert "email failed" not in administrator_client.get(STAFF).content.decode()


def test_resending_sends_a_fresh_link(
    administrator: User,
    administrator_client: Client,
    mailoutbox: Any,
    events: Any,
) -> None:
    member = make_staff("Noor Haddad", "noor@example.org", Role.INTERVIEWER, with_password=False)
    administrator_client.post(reverse("accounts:staff_resend", args=[member.pk]))
    assert [message.to for message in mailoutbox] == [["noor@example.org"]]
    assert events() == [
        (
            "staff.invitation_resent",
            f"staff:{administrator.pk}",
            {"user_id": member.pk, "role": "interviewer"},
        )
    ]


def test_resending_to_someone_with_a_password_is_refused(
    administrator_client: Client, recruiter: User, mailoutbox: Any
) -> None:
    response = administrator_client.post(reverse("accounts:staff_resend", args=[recruiter.pk]))
    assert response.status_code == 409
    assert "Rosa Parks has already set a password." in response.content.decode()
    assert mailoutbox == []


def test_a_deactivated_member_cannot_sign_in_and_their_session_ends(
    administrator: User, administrator_client: Client, recruiter: User, events: Any
) -> None:
    rosa = Client()
    assert sign_in(rosa, "rosa@example.org", PERSONA_PASSWORD).status_code == 302
    assert rosa.get(reverse("web:home")).status_code == 200

    response = administrator_client.post(
        reverse("accounts:staff_deactivate", args=[recruiter.pk]), follow=True
    )
    assert "Rosa Parks is deactivated and signed out." in response.content.decode()
    assert rosa.get(reverse("web:home")).status_code == 302
    assert recruiter.sessions.count() == 0
    assert sign_in(Client(), "rosa@example.org", PERSONA_PASSWORD).status_code == 400
    assert events()[-1] == (
        "staff.deactivated",
        f"staff:{administrator.pk}",
        {"user_id": recruiter.pk, "role": "recruiter"},
    )


def test_reactivation_lets_the_member_sign_in_again_but_old_sessions_stay_ended(
    administrator: User, administrator_client: Client, recruiter: User, events: Any
) -> None:
    rosa = Client()
    sign_in(rosa, "rosa@example.org", PERSONA_PASSWORD)
    administrator_client.post(reverse("accounts:staff_deactivate", args=[recruiter.pk]))
    administrator_client.post(reverse("accounts:staff_reactivate", args=[recruiter.pk]))
    assert rosa.get(reverse("web:home")).status_code == 302
    assert sign_in(Client(), "rosa@example.org", PERSONA_PASSWORD).status_code == 302
    assert events()[-2] == (
        "staff.reactivated",
        f"staff:{administrator.pk}",
        {"user_id": recruiter.pk, "role": "recruiter"},
    )


def test_an_administrator_cannot_deactivate_themselves(
    administrator: User, administrator_client: Client, events: Any
) -> None:
    response = administrator_client.post(
        reverse("accounts:staff_deactivate", args=[administrator.pk])
    )
    assert response.status_code == 409
    assert "You cannot deactivate your own account." in response.content.decode()
    assert "<h1>Staff</h1>" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active is True
    assert events() == []


def test_the_last_active_administrator_cannot_be_deactivated(
    administrator: User, recruiter: User
) -> None:
    with pytest.raises(StaffChangeRefused, match="Ada Lovelace is the last active administrator"):
        do_deactivate_staff(actor=recruiter, member=administrator)


def test_two_administrators_cannot_deactivate_each_other(administrator: User) -> None:
    grace = make_staff("Grace Hopper", "grace@example.org", Role.ADMINISTRATOR)
    do_deactivate_staff(actor=administrator, member=grace)
    with pytest.raises(StaffChangeRefused, match="Ada Lovelace is the last active administrator"):
        do_deactivate_staff(actor=grace, member=administrator)


def test_the_staff_list_shows_each_state(administrator_client: Client, recruiter: User) -> None:
    make_staff("Noor Haddad", "noor@example.org", Role.INTERVIEWER, with_password=False)
    make_staff("Omar Khayyam", "omar@example.org", Role.AUDITOR, is_active=False)
    page = administrator_client.get(STAFF).content.decode()
    for name, status in [
        ("Rosa Parks", "Active"),
        ("Noor Haddad", "Invited"),
        ("Omar Khayyam", "Deactivated"),
    ]:
        assert re.search(rf"{name}</th>.*?<span class=\"status[^\"]*\">{status}<", page, re.S)


def test_the_staff_list_uses_a_fixed_number_of_queries(
    administrator_client: Client, django_assert_num_queries: Any
) -> None:
    administrator_client.get(STAFF)  # warm-up: the session's first read
    with django_assert_num_queries(4):  # session, user, staff list, their invitation emails
        administrator_client.get(STAFF)
    for number in range(10):
        make_staff(f"Person {number}", f"person{number}@example.org", Role.RECRUITER)
    with django_assert_num_queries(4):
        administrator_client.get(STAFF)


STAFF_PAGES = [
    ("get", STAFF),
    ("get", INVITE),
    ("post", INVITE),
    ("post", "/accounts/staff/{id}/resend/"),
    ("post", "/accounts/staff/{id}/deactivate/"),
    ("post", "/accounts/staff/{id}/reactivate/"),
    ("post", "/accounts/staff/{id}/role/"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_PAGES)
@pytest.mark.parametrize("persona", ["recruiter", "interviewer", "auditor"])
def test_staff_pages_are_not_found_for_anyone_but_administrators(
    persona: str, method: str, path: str, request: Any, administrator: User
) -> None:
    client = request.getfixturevalue(f"{persona}_client")
    response = getattr(client, method)(path.format(id=administrator.pk))
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "path"), STAFF_PAGES)
def test_staff_pages_send_anonymous_visitors_to_sign_in(
    method: str, path: str, outsider: Client, administrator: User
) -> None:
    target = path.format(id=administrator.pk)
    response = getattr(outsider, method)(target)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:sign_in')}?next={target}"


def test_a_missing_staff_member_looks_like_any_missing_page(
    administrator_client: Client,
) -> None:
    response = administrator_client.post(reverse("accounts:staff_deactivate", args=[999]))
    assert response.status_code == 404


def test_the_actions_refuse_get(administrator_client: Client, recruiter: User) -> None:
    response = administrator_client.get(reverse("accounts:staff_deactivate", args=[recruiter.pk]))
    assert response.status_code == 405


def test_resending_to_a_deactivated_member_is_refused(
    administrator_client: Client, mailoutbox: Any
) -> None:
    member = make_staff(
        "Noor Haddad", "noor@example.org", Role.INTERVIEWER, is_active=False, with_password=False
    )
    response = administrator_client.post(reverse("accounts:staff_resend", args=[member.pk]))
    assert response.status_code == 409
    assert "Noor Haddad is deactivated; reactivate them first." in response.content.decode()
    assert mailoutbox == []


def test_repeating_a_deactivation_or_reactivation_records_nothing_more(
    administrator: User, recruiter: User, events: Any
) -> None:
    do_deactivate_staff(actor=administrator, member=recruiter)
    do_deactivate_staff(actor=administrator, member=recruiter)
    do_reactivate_staff(actor=administrator, member=recruiter)
    do_reactivate_staff(actor=administrator, member=recruiter)
    assert [event[0] for event in events()] == ["staff.deactivated", "staff.reactivated"]


# --- roles ------------------------------------------------------------------------------------


def change_role(client: Client, member: User, role: str) -> Any:
    return client.post(reverse("accounts:staff_role", args=[member.pk]), {"role": role})


def test_an_administrator_changes_a_role_and_it_is_recorded(
    administrator: User, administrator_client: Client, recruiter: User, events: Any
) -> None:
    rosa = Client()
    sign_in(rosa, "rosa@example.org", PERSONA_PASSWORD)
    assert rosa.get(reverse("openings:create")).status_code == 200
    response = change_role(administrator_client, recruiter, "auditor")
    assert (response.status_code, response["Location"]) == (302, STAFF)
    page = administrator_client.get(STAFF).content.decode()
    assert "Rosa Parks is now auditor." in page
    recruiter.refresh_from_db()
    assert recruiter.role == "auditor"
    assert events()[-1:] == [
        (
            "staff.role_changed",
            f"staff:{administrator.pk}",
            {"user_id": recruiter.pk, "role": "auditor", "previous_role": "recruiter"},
        )
    ]
    # What she may do follows the role from her next request on, in the session she holds.
    assert rosa.get(reverse("openings:create")).status_code == 404
    assert rosa.get(reverse("audit:home")).status_code == 200


def test_the_staff_list_offers_each_member_a_role_form(
    administrator_client: Client, recruiter: User
) -> None:
    page = administrator_client.get(STAFF).content.decode()
    form = page.split(f'action="/accounts/staff/{recruiter.pk}/role/"', 1)[1].split("</form>")[0]
    assert '<option value="recruiter" selected>Recruiter</option>' in form
    assert '<option value="administrator">Administrator</option>' in form
    assert "Change role" in form


def test_the_last_active_administrator_cannot_step_down(
    administrator: User, administrator_client: Client, events: Any
) -> None:
    response = change_role(administrator_client, administrator, "recruiter")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Ada Lovelace is the last active administrator; keep at least one." in page
    assert "<h1>Staff</h1>" in page
    administrator.refresh_from_db()
    assert administrator.role == "administrator"
    assert events() == []


def test_an_administrator_may_step_down_while_another_remains(
    administrator: User, administrator_client: Client
) -> None:
    make_staff("Grace Hopper", "grace@example.org", Role.ADMINISTRATOR)
    assert change_role(administrator_client, administrator, "recruiter").status_code == 302
    administrator.refresh_from_db()
    assert administrator.role == "recruiter"
    assert administrator_client.get(STAFF).status_code == 404  # no longer manages staff


def test_two_administrators_cannot_step_each_other_down(administrator: User) -> None:
    grace = make_staff("Grace Hopper", "grace@example.org", Role.ADMINISTRATOR)
    do_change_staff_role(actor=administrator, member=grace, role=Role.AUDITOR)
    with pytest.raises(StaffChangeRefused, match="Ada Lovelace is the last active administrator"):
        do_change_staff_role(actor=grace, member=administrator, role=Role.AUDITOR)


def test_a_deactivated_administrator_does_not_count_as_the_one_kept(
    administrator: User, administrator_client: Client
) -> None:
    make_staff("Grace Hopper", "grace@example.org", Role.ADMINISTRATOR, is_active=False)
    assert change_role(administrator_client, administrator, "auditor").status_code == 409


def test_a_deactivated_administrator_may_be_given_another_role(
    administrator: User, administrator_client: Client
) -> None:
    grace = make_staff("Grace Hopper", "grace@example.org", Role.ADMINISTRATOR, is_active=False)
    assert change_role(administrator_client, grace, "auditor").status_code == 302
    grace.refresh_from_db()
    assert grace.role == "auditor"


def test_a_role_that_does_not_exist_is_refused_with_400(
    administrator_client: Client, recruiter: User, events: Any
) -> None:
    for role in ("owner", "", "Administrator"):
        response = change_role(administrator_client, recruiter, role)
        assert response.status_code == 400
        assert (
            "Choose the role: one of administrator, recruiter, interviewer, auditor."
            in response.content.decode()
        )
    recruiter.refresh_from_db()
    assert recruiter.role == "recruiter"
    assert events() == []


def test_giving_the_role_someone_has_records_nothing(
    administrator_client: Client, recruiter: User, events: Any
) -> None:
    assert change_role(administrator_client, recruiter, "recruiter").status_code == 302
    assert events() == []
