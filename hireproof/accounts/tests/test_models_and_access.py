"""The user model's email rules, the permission table as the funnel reads it, and ``staff_view``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission, Role
from hireproof.hiring.access import access_site, access_staff_member, may
from hireproof.views.decorators import staff_view

CHECKED = (
    Permission.MANAGE_STAFF,
    Permission.READ_AUDIT_LOG,
    Permission.READ_CANDIDATES,
    Permission.READ_PLAYBOOKS,
)


def test_emails_are_stored_trimmed_and_lower_case(db: Any) -> None:
    user = User.objects.create_user(" Grace.Hopper@Example.ORG ", "x", full_name="Grace Hopper")
    assert user.email == "grace.hopper@example.org"
    assert User.objects.get_by_natural_key("GRACE.hopper@example.org") == user


def test_an_email_differing_only_in_case_is_not_unique(db: Any) -> None:
    User.objects.create_user("grace@example.org", None, full_name="Grace", role=Role.RECRUITER)
    with pytest.raises(IntegrityError):
        User.objects.create_user("Grace@Example.org", None, full_name="Other", role=Role.AUDITOR)


def test_create_user_without_a_password_leaves_it_unusable(db: Any) -> None:
    user = User.objects.create_user("new@example.org", None, full_name="New", role=Role.AUDITOR)
    assert user.has_set_password is False


def test_create_superuser_makes_an_administrator(db: Any) -> None:
    user = User.objects.create_superuser("root@example.org", "pw-long-enough", full_name="Root")
    assert user.role == Role.ADMINISTRATOR


def test_the_audit_actor_is_an_id_not_personal_data(recruiter: User) -> None:
    assert recruiter.audit_actor == f"staff:{recruiter.pk}"


ROLE_TABLE = [
    # persona, manage staff, read audit, use pipeline, read playbooks
    ("administrator", True, True, True, True),
    ("recruiter", False, False, True, True),
    ("interviewer", False, False, False, True),
    ("auditor", False, True, True, True),
]


@pytest.mark.parametrize(("persona", "staff", "audit", "pipeline", "playbooks"), ROLE_TABLE)
def test_each_role_may_do_what_the_table_says(
    persona: str, staff: bool, audit: bool, pipeline: bool, playbooks: bool, request: Any
) -> None:
    user = request.getfixturevalue(persona)
    assert tuple(may(user, permission) for permission in CHECKED) == (
        staff,
        audit,
        pipeline,
        playbooks,
    )


def test_anonymous_and_deactivated_users_may_do_nothing(recruiter: User) -> None:
    recruiter.is_active = False
    for user in (AnonymousUser(), recruiter):
        assert not any(may(user, permission) for permission in Permission)
        with pytest.raises(Http404):
            access_site(user, Permission.STAFF_HOME)


def test_access_staff_member_returns_the_member_to_an_administrator(
    administrator: User, recruiter: User
) -> None:
    assert access_staff_member(administrator, recruiter.pk, Permission.MANAGE_STAFF) == recruiter
    assert access_site(administrator, Permission.MANAGE_STAFF) == administrator


def test_access_staff_member_gives_the_same_404_for_forbidden_and_missing(
    administrator: User, recruiter: User
) -> None:
    with pytest.raises(Http404):
        access_staff_member(recruiter, administrator.pk, Permission.MANAGE_STAFF)
    with pytest.raises(Http404):
        access_staff_member(administrator, 987654, Permission.MANAGE_STAFF)


@staff_view
def any_staff_view(request: HttpRequest) -> HttpResponse:
    access_site(request.user, Permission.STAFF_HOME)
    return HttpResponse("in")


@staff_view
def audit_view(request: HttpRequest) -> HttpResponse:
    access_site(request.user, Permission.READ_AUDIT_LOG)
    return HttpResponse("in")


def request_as(user: User | AnonymousUser, path: str = "/reports/?page=2") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_a_staff_view_sends_anonymous_visitors_to_sign_in_and_back() -> None:
    response = audit_view(request_as(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/reports/%3Fpage%3D2"


@pytest.mark.parametrize("persona", ["administrator", "recruiter", "interviewer", "auditor"])
def test_a_staff_view_asking_for_the_home_permission_admits_every_role(
    persona: str, request: Any
) -> None:
    user = request.getfixturevalue(persona)
    assert any_staff_view(request_as(user)).content == b"in"


@pytest.mark.parametrize(("persona", "admitted"), [("auditor", True), ("recruiter", False)])
def test_a_staff_view_gives_those_without_its_permission_404(
    persona: str, admitted: bool, request: Any
) -> None:
    user = request.getfixturevalue(persona)
    if admitted:
        assert audit_view(request_as(user)).content == b"in"
    else:
        with pytest.raises(Http404):
            audit_view(request_as(user))


def test_a_staff_view_keeps_the_view_name() -> None:
    assert audit_view.__name__ == "audit_view"
