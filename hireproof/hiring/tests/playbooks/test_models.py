"""Published versions are immutable, and load back to exactly the content their hash names."""

from __future__ import annotations

import pytest
from django.db import connection

from hireproof.accounts.models import User
from hireproof.core.playbook import load_builtin
from hireproof.hiring.actions.playbooks import do_publish_playbook
from hireproof.hiring.models.playbooks import (
    PlaybookVersion,
    PublishedVersionIsImmutable,
    StoredPlaybookIsCorrupt,
)
from hireproof.hiring.tests.playbooks.conftest import SEED_ID, seed_yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(recruiter: User) -> PlaybookVersion:
    return do_publish_playbook(seed_yaml(), "seed.yaml", actor=recruiter)


def _overwrite_source(row: PlaybookVersion, source: str) -> None:
    """Change the stored text behind the model's back, as a hand edit of the database would."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {PlaybookVersion._meta.db_table} SET source = %s WHERE id = %s",  # noqa: S608
            [source, row.pk],
        )


def test_it_refuses_to_save_a_published_version_again(published: PlaybookVersion) -> None:
    published.title = "Something else"

    with pytest.raises(PublishedVersionIsImmutable) as refusal:
        published.save()

    assert str(refusal.value) == (
        "data-scientist-mid 1.0.0 is published and cannot be changed; publish a new version instead"
    )
    assert PlaybookVersion.objects.get().title == load_builtin(SEED_ID).title


def test_it_refuses_to_delete_a_published_version(published: PlaybookVersion) -> None:
    with pytest.raises(PublishedVersionIsImmutable):
        published.delete()

    assert PlaybookVersion.objects.count() == 1


def test_it_refuses_bulk_updates_and_deletes(published: PlaybookVersion) -> None:
    with pytest.raises(PublishedVersionIsImmutable):
        PlaybookVersion.objects.filter(pk=published.pk).update(title="x")
    with pytest.raises(PublishedVersionIsImmutable):
        PlaybookVersion.objects.all().delete()

    assert PlaybookVersion.objects.get().title == published.title


def test_it_loads_the_playbook_its_hash_names(published: PlaybookVersion) -> None:
    playbook = PlaybookVersion.objects.get().load()

    assert playbook == load_builtin(SEED_ID)
    assert playbook.hash == published.content_hash


def test_loading_the_same_version_twice_reuses_the_parsed_playbook(
    published: PlaybookVersion,
) -> None:
    first = PlaybookVersion.objects.get().load()
    second = PlaybookVersion.objects.get().load()

    assert second is first


def test_it_refuses_to_load_a_version_whose_text_was_changed(published: PlaybookVersion) -> None:
    published.load()  # cached: the altered row must not be served from memory
    _overwrite_source(
        published, seed_yaml().replace("time_limit_minutes: 30", "time_limit_minutes: 90", 1)
    )

    with pytest.raises(StoredPlaybookIsCorrupt) as refusal:
        PlaybookVersion.objects.get().load()

    assert str(refusal.value).startswith(
        "the stored playbook data-scientist-mid-1.0.0.yaml does not match its content hash: "
        f"stored {published.content_hash}, computed "
    )


def test_it_refuses_to_load_a_version_whose_text_no_longer_loads(
    published: PlaybookVersion,
) -> None:
    _overwrite_source(published, "id: [")

    with pytest.raises(StoredPlaybookIsCorrupt) as refusal:
        PlaybookVersion.objects.get().load()

    assert str(refusal.value).startswith(
        "the stored playbook data-scientist-mid-1.0.0.yaml no longer loads:\n"
        "data-scientist-mid-1.0.0.yaml:1:"
    )


def test_it_names_itself_and_its_download(published: PlaybookVersion) -> None:
    assert str(published) == "data-scientist-mid 1.0.0"
    assert published.short_hash == "f10faef43521"
    assert published.download_name == "data-scientist-mid-1.0.0.yaml"
