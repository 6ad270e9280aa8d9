"""The outbox of the candidates' emails: written by the action, sealed under the candidate's key,
sent once by a task, cancelled by a newer link or an erasure."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from hireproof.accounts.models import User
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.invitations import do_resend_invitation
from hireproof.hiring.emails import invitation_about, send_candidate_email
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.tests.openings.conftest import BASE_URL, LINK, add, invite
from hireproof.platform.models import OutboxEmail
from hireproof.platform.tasks import queued_for_workers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(opening: Opening, recruiter: User) -> Candidate:
    return add(opening, recruiter, "Ada Lovelace", "ada@example.org")


def outbox_of(candidate: Candidate) -> list[OutboxEmail]:
    invitation = Invitation.objects.get(candidate=candidate)
    return list(OutboxEmail.objects.filter(about=invitation_about(invitation.pk)))


def test_an_invitation_is_sealed_in_the_outbox_until_a_worker_sends_it(
    ada: Candidate, recruiter: User, mailoutbox: Any
) -> None:
    with queued_for_workers():  # no worker yet: the email waits
        invite(ada, recruiter)
    [waiting] = outbox_of(ada)
    assert (waiting.kind, waiting.sealed_for) == ("an invitation", ada.subject.pseudonym)
    stored = bytes(waiting.content)
    for clear in (b"ada@example.org", b"Ada Lovelace", b"/a/"):
        assert clear not in stored  # sealed: the database never holds it in clear
    assert mailoutbox == []
    send_candidate_email(waiting.pk)  # the worker's task
    [sent] = mailoutbox
    assert sent.to == ["ada@example.org"]
    assert LINK.search(str(sent.body))
    waiting.refresh_from_db()
    assert waiting.sent_at is not None
    assert (bytes(waiting.content), waiting.tries) == (b"", 1)  # emptied once sent
    send_candidate_email(waiting.pk)  # delivered again (a worker killed after sending)
    assert len(mailoutbox) == 1  # never twice


def test_an_invitation_rolled_back_sends_nothing(
    ada: Candidate, recruiter: User, mailoutbox: Any
) -> None:
    def request() -> None:
        with transaction.atomic():
            invite(ada, recruiter)
            raise RuntimeError("the request fails after the invitation")

    with queued_for_workers(), pytest.raises(RuntimeError):
        request()
    assert not OutboxEmail.objects.exists()
    assert mailoutbox == []


def test_a_new_link_cancels_the_email_of_the_old_one_still_waiting(
    ada: Candidate, recruiter: User, mailoutbox: Any
) -> None:
    with queued_for_workers():
        invite(ada, recruiter)
        do_resend_invitation(actor=recruiter, candidate=ada, base_url=BASE_URL)
    newer, older = outbox_of(ada)
    assert older.cancelled_at is not None
    assert older.cancelled_because == "a newer email replaced it"
    assert bytes(older.content) == b""
    send_candidate_email(older.pk)
    assert mailoutbox == []  # the old link, which no longer works, never leaves
    send_candidate_email(newer.pk)
    assert len(mailoutbox) == 1


def test_an_erasure_cancels_the_emails_about_the_candidate_and_their_reasons(
    ada: Candidate, recruiter: User, administrator: User, mailoutbox: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "hireproof.hiring.tests.openings.test_outbox.RefusingBackend"
    invite(ada, recruiter)  # the mail server refuses: kept, with its reason, for a retry
    [refused] = outbox_of(ada)
    assert refused.last_error == "550 no such mailbox <ada@example.org>"
    do_erase_candidate(actor=administrator, candidate=ada, basis=ErasureBasis.REQUEST)
    refused.refresh_from_db()
    assert refused.cancelled_because == "the candidate was erased"
    assert (bytes(refused.content), refused.last_error) == (b"", "")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_candidate_email(refused.pk)  # its retry comes: nothing to send
    assert mailoutbox == []


class RefusingBackend:
    """A mail server that refuses the address, naming it."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise OSError("550 no such mailbox <ada@example.org>")
