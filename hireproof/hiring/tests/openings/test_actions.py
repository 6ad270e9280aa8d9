"""The actions' refusals and no-ops, called directly as other surfaces (API, CLI) would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.invitations import do_resend_invitation, do_revoke_invitation
from hireproof.hiring.actions.openings import OpeningChangeRefused, do_update_opening
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import BASE_URL, add, invite

pytestmark = pytest.mark.django_db


def test_an_update_that_changes_nothing_records_nothing(
    recruiter: User, opening: Opening, events: Any
) -> None:
    do_update_opening(
        actor=recruiter,
        opening=opening,
        title=opening.title,
        invitation_days=opening.invitation_days,
        email_subject=opening.email_subject,
        email_body=opening.email_body,
    )
    assert [kind for kind, *_ in events()] == ["opening.created"]


def test_a_duplicate_email_is_refused_by_the_action_too(recruiter: User, opening: Opening) -> None:
    add(opening, recruiter, "Ada Lovelace", "ada@example.org")
    with pytest.raises(OpeningChangeRefused) as refusal:
        do_add_candidate(
            actor=recruiter,
            opening=opening,
            candidate=NewCandidate(name="Ada", email="ADA@example.org "),
        )
    assert str(refusal.value) == "ada@example.org is already a candidate in this opening."
    assert Candidate.objects.count() == 1


def test_a_candidate_not_yet_invited_cannot_be_resent_or_revoked(
    recruiter: User, opening: Opening
) -> None:
    ada = add(opening, recruiter, "Ada Lovelace", "ada@example.org")
    actions: list[Callable[[], object]] = [
        lambda: do_resend_invitation(actor=recruiter, candidate=ada, base_url=BASE_URL),
        lambda: do_revoke_invitation(actor=recruiter, candidate=ada),
    ]
    for action in actions:
        with pytest.raises(
            OpeningChangeRefused, match=r"^Ada Lovelace has not been invited yet\.$"
        ):
            action()


def test_revoking_twice_records_one_event(
    recruiter: User, opening: Opening, mailoutbox: Any, events: Any
) -> None:
    ada = add(opening, recruiter, "Ada Lovelace", "ada@example.org")
    invite(ada, recruiter)
    first = do_revoke_invitation(actor=recruiter, candidate=ada)
    second = do_revoke_invitation(actor=recruiter, candidate=ada)
    assert first.revoked_at == second.revoked_at
    assert [kind for kind, *_ in events()].count("invitation.revoked") == 1
