"""Publishing playbooks: new playbooks, new versions, identical re-uploads, conflicts, built-ins."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from hireproof.accounts.models import User
from hireproof.cli.serve import prepare_site
from hireproof.core.errors import PlaybookError
from hireproof.core.playbook import Playbook, builtin_ids, load_builtin
from hireproof.hiring.actions import playbooks as actions
from hireproof.hiring.actions.playbooks import (
    PublishRefused,
    do_publish_playbook,
    load_builtin_playbooks,
)
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.tests.playbooks.conftest import (
    SEED_ID,
    published_events,
    seed_as_version,
    seed_yaml,
)

pytestmark = pytest.mark.django_db

SEED_HASH = "f10faef43521b324a022592392f9cc72acba1537fb1e9b0369d37bdaf5a22739"


def test_it_publishes_a_new_playbook_with_its_source_exactly_as_given(recruiter: User) -> None:
    text = seed_yaml()

    published = do_publish_playbook(text, "seed.yaml", actor=recruiter)

    stored = PlaybookVersion.objects.get()
    assert stored.pk == published.pk
    assert (stored.playbook_id, stored.version) == (SEED_ID, "1.0.0")
    assert stored.title == "Mid-Level Data Scientist / ML Engineer Hiring Guide"
    assert stored.content_hash == SEED_HASH == load_builtin(SEED_ID).hash
    assert stored.source == text
    assert stored.is_builtin is False
    assert stored.published_by == recruiter
    assert published.just_published is True


def test_it_records_the_publication_in_the_audit_log(recruiter: User) -> None:
    do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)

    assert published_events() == [
        (f"staff:{recruiter.pk}", {"id": SEED_ID, "version": "1.0.0", "hash": SEED_HASH})
    ]


def test_it_publishes_a_new_version_next_to_the_old_one(recruiter: User) -> None:
    first = do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)

    second = do_publish_playbook(seed_as_version("1.1.0"), "seed-1.1.yaml", actor=recruiter)

    assert second.just_published is True
    assert second.pk != first.pk
    assert second.content_hash != first.content_hash
    versions = PlaybookVersion.objects.filter(playbook_id=SEED_ID)
    assert sorted(versions.values_list("version", flat=True)) == ["1.0.0", "1.1.0"]
    assert [public["version"] for _, public in published_events()] == ["1.0.0", "1.1.0"]


def test_an_identical_upload_changes_nothing_and_returns_the_published_version(
    recruiter: User, administrator: User
) -> None:
    first = do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)
    # Comments and layout are not content: the same hash, so the same version.
    reformatted = "# uploaded again, with a comment\n" + seed_yaml()

    again = do_publish_playbook(reformatted, "copy.yaml", actor=administrator)

    assert again.pk == first.pk
    assert again.just_published is False
    assert again.published_by == recruiter
    assert again.source == seed_yaml()
    assert PlaybookVersion.objects.count() == 1
    assert len(published_events()) == 1


def test_it_refuses_the_same_version_with_different_content(recruiter: User) -> None:
    do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)
    changed = seed_yaml().replace("time_limit_minutes: 30", "time_limit_minutes: 45", 1)

    with pytest.raises(PublishRefused) as refusal:
        do_publish_playbook(changed, "changed.yaml", actor=recruiter)

    assert str(refusal.value) == (
        "data-scientist-mid 1.0.0 is already published with different content; raise the version"
    )
    assert PlaybookVersion.objects.count() == 1
    assert len(published_events()) == 1


def test_it_raises_every_located_problem_and_publishes_nothing(recruiter: User) -> None:
    broken = seed_yaml().replace("key: 70", "key: seventy", 1)

    with pytest.raises(PlaybookError) as error:
        do_publish_playbook(broken, "broken.yaml", actor=recruiter)

    [problem] = error.value.problems
    assert (problem.file, problem.line, problem.column) == ("broken.yaml", 287, 12)
    assert problem.path == "assessment.items[1].key"
    assert problem.message == 'expected a number, got "seventy"'
    assert PlaybookVersion.objects.count() == 0
    assert published_events() == []


def test_it_refuses_an_id_longer_than_the_library_keeps(recruiter: User) -> None:
    long_id = "-".join(["role"] * 41)  # 204 characters, a valid identifier
    text = seed_yaml().replace(f"id: {SEED_ID}\n", f"id: {long_id}\n", 1)

    with pytest.raises(PublishRefused) as refusal:
        do_publish_playbook(text, "long.yaml", actor=recruiter)

    assert str(refusal.value) == (
        "the playbook's id is 204 characters long; the library keeps at most 200"
    )


def test_loading_the_builtins_publishes_each_once_as_the_system() -> None:
    load_builtin_playbooks()
    first = list(PlaybookVersion.objects.order_by("playbook_id").values_list("pk", "content_hash"))

    load_builtin_playbooks()

    rows = PlaybookVersion.objects.order_by("playbook_id")
    assert [(row.pk, row.content_hash) for row in rows] == first
    assert [row.playbook_id for row in rows] == list(builtin_ids())
    assert [(row.playbook_id, row.is_builtin, row.published_by) for row in rows] == [
        ("data-scientist-mid", True, None),
        ("data-scientist-mid-weighted", True, None),
    ]
    assert [(actor, public["id"]) for actor, public in published_events()] == [
        ("system", "data-scientist-mid"),
        ("system", "data-scientist-mid-weighted"),
    ]


def test_preparing_the_site_publishes_the_builtins() -> None:
    prepare_site()
    assert sorted(
        PlaybookVersion.objects.filter(is_builtin=True).values_list("playbook_id", flat=True)
    ) == ["data-scientist-mid", "data-scientist-mid-weighted"]


def test_a_staff_upload_of_a_builtin_id_is_a_new_version_not_a_builtin(recruiter: User) -> None:
    load_builtin_playbooks()

    published = do_publish_playbook(seed_as_version("2.0.0"), "seed-2.yaml", actor=recruiter)

    assert published.is_builtin is False
    assert PlaybookVersion.objects.filter(playbook_id=SEED_ID).count() == 2


def _published_as_unseen_once(monkeypatch: pytest.MonkeyPatch, *, then_found: bool) -> None:
    """Make the first "already published?" check miss, as if another request were mid-insert."""
    real = actions._published_as
    calls = 0

    def racing(playbook: Playbook) -> PlaybookVersion | None:
        nonlocal calls
        calls += 1
        return real(playbook) if calls > 1 and then_found else None

    monkeypatch.setattr(actions, "_published_as", racing)


def test_a_version_published_by_a_concurrent_request_is_returned_not_duplicated(
    recruiter: User, administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)
    _published_as_unseen_once(monkeypatch, then_found=True)

    again = do_publish_playbook(seed_yaml(), "seed.yaml", actor=administrator)

    assert (again.pk, again.just_published) == (first.pk, False)
    assert PlaybookVersion.objects.count() == 1
    assert len(published_events()) == 1


def test_an_insert_failure_that_is_not_a_concurrent_publication_is_raised(
    recruiter: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)
    _published_as_unseen_once(monkeypatch, then_found=False)

    with pytest.raises(IntegrityError):
        do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)
