"""The audit log's web page: who may read it, download exports, and sign checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from hireproof.audit import keys
from hireproof.audit.actions import do_erase_subject
from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.log import record_event
from hireproof.audit.models import Checkpoint, LogLeaf, Subject
from hireproof.audit.vault import create_subject
from hireproof.core.audit import EventType, parse_leaf, verify_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject() -> Subject:
    """A candidate's audit identity with one committed field."""
    with transaction.atomic():
        subject = create_subject()
        record_event(
            EventType.CANDIDATE_ADDED, actor="staff:1", subject=subject, private={"name": "Grace"}
        )
    return subject


def download(client: Client, disclose: str = "") -> Any:
    return client.post(reverse("audit:export"), {"disclose": disclose})


@pytest.mark.parametrize("persona", ["administrator", "auditor"])
def test_administrators_and_auditors_read_the_log_page(
    request: pytest.FixtureRequest, persona: str, subject: Subject
) -> None:
    client = request.getfixturevalue(f"{persona}_client")
    page = client.get(reverse("audit:home")).content.decode()

    assert current_vkey() in page
    assert f"<dt>Events</dt><dd>{LogLeaf.objects.count()}</dd>" in page


@pytest.mark.parametrize("persona", ["recruiter", "interviewer"])
def test_other_staff_get_not_found(request: pytest.FixtureRequest, persona: str) -> None:
    client = request.getfixturevalue(f"{persona}_client")
    assert client.get(reverse("audit:home")).status_code == 404
    assert download(client).status_code == 404
    assert client.post(reverse("audit:checkpoint")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(outsider: Client) -> None:
    response = outsider.get(reverse("audit:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_an_export_downloads_and_verifies_offline(
    auditor_client: Client, subject: Subject, tmp_path: Path
) -> None:
    response = download(auditor_client)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="hireproof-audit-')
    bundle = tmp_path / "bundle"
    bundle.write_bytes(b"".join(response.streaming_content))
    report = verify_bundle(bundle, trusted_vkeys=[current_vkey()])
    assert report.ok
    assert report.openings_checked == 0
    assert not LogLeaf.objects.filter(event_type="audit.exported").exists()


def test_a_disclosing_export_opens_the_candidate_and_is_itself_recorded(
    auditor: Any, auditor_client: Client, subject: Subject, tmp_path: Path
) -> None:
    response = download(auditor_client, subject.pseudonym)

    bundle = tmp_path / "bundle"
    bundle.write_bytes(b"".join(response.streaming_content))
    report = verify_bundle(bundle, trusted_vkeys=[current_vkey()])
    assert report.ok
    assert report.openings_checked == 1
    leaf = LogLeaf.objects.get(event_type="audit.exported")
    parsed = parse_leaf(bytes(leaf.data))
    assert (parsed.actor, parsed.public) == (
        auditor.audit_actor,
        {"disclosed": [subject.pseudonym]},
    )


def test_an_unknown_pseudonym_is_refused_with_its_name(auditor_client: Client) -> None:
    response = download(auditor_client, "subj_nobody")

    assert response.status_code == 400
    page = response.content.decode()
    assert "No candidate has the pseudonym subj_nobody." in page
    assert "<h1>Audit log</h1>" in page  # the audit page again, the reason among its messages
    assert not LogLeaf.objects.filter(event_type="audit.exported").exists()


def test_only_administrators_sign_a_checkpoint_on_demand(
    administrator_client: Client, auditor_client: Client, subject: Subject
) -> None:
    before = Checkpoint.objects.count()
    assert auditor_client.post(reverse("audit:checkpoint")).status_code == 404
    assert "Sign a checkpoint now" not in auditor_client.get(reverse("audit:home")).content.decode()

    response = administrator_client.post(reverse("audit:checkpoint"), follow=True)

    assert Checkpoint.objects.count() == before + 1
    assert f"Signed a checkpoint of {LogLeaf.objects.count()} leaves." in response.content.decode()


def test_an_export_whose_tail_cannot_be_signed_is_refused_with_the_leaves(
    auditor_client: Client, subject: Subject, key_files: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    with transaction.atomic():
        record_event(EventType.CANDIDATE_ADDED, actor="staff:1", subject=subject)
    size = LogLeaf.objects.count()
    (key_files / "audit-signing.key").unlink()  # a stranger's key file takes its place
    keys.forget_cached_keys()

    response = download(auditor_client)

    assert response.status_code == 409
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert shown[0].startswith(f"The export was refused: leaves {size - 1}-{size - 1} cannot be")
    assert "the bundle will fail verification" in shown[0]


def test_a_checkpoint_that_cannot_be_signed_answers_409_with_the_reason(
    administrator_client: Client, subject: Subject, key_files: Path
) -> None:
    with transaction.atomic():
        record_event(EventType.CANDIDATE_ADDED, actor="staff:1", subject=subject)
    before = Checkpoint.objects.count()
    (key_files / "audit-signing.key").unlink()  # a stranger's key file takes its place
    keys.forget_cached_keys()

    response = administrator_client.post(reverse("audit:checkpoint"))

    assert response.status_code == 409
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert shown[0].startswith("No checkpoint was signed: ")
    assert "<h1>Audit log</h1>" in response.content.decode()
    assert Checkpoint.objects.count() == before


def test_a_refused_disclosure_download_records_no_event(
    auditor_client: Client, subject: Subject
) -> None:
    do_erase_subject(subject, actor="staff:1")
    leaves = LogLeaf.objects.count()

    response = download(auditor_client, subject.pseudonym)

    assert response.status_code == 409
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        f"The export was refused: subject {subject.pseudonym} was erased: their keys are"
        " destroyed, so nothing of theirs can be disclosed. Nothing was exported or recorded"
    ]
    assert LogLeaf.objects.count() == leaves
    assert not LogLeaf.objects.filter(event_type="audit.exported").exists()


def test_a_disclosing_download_whose_tail_cannot_be_signed_records_no_event(
    auditor_client: Client, subject: Subject, key_files: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600
    with transaction.atomic():
        record_event(EventType.CANDIDATE_ADDED, actor="staff:1", subject=subject)
    leaves = LogLeaf.objects.count()
    (key_files / "audit-signing.key").unlink()
    keys.forget_cached_keys()

    response = download(auditor_client, subject.pseudonym)

    assert response.status_code == 409
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert shown[0].startswith(f"The export was refused: leaves {leaves - 1}-{leaves - 1} cannot")
    assert LogLeaf.objects.count() == leaves
    assert not LogLeaf.objects.filter(event_type="audit.exported").exists()
