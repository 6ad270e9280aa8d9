"""Published playbook versions: the YAML exactly as uploaded, pinned by its content hash.

A published version never changes: openings and scorecards name it by its hash, so editing it
would silently change what a score meant. ``save()`` on an existing row, ``delete()`` and the
queryset's ``update()``/``delete()`` all refuse; a correction is a new version.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from hireproof.audit.export import builtin_playbook_source
from hireproof.core.errors import PlaybookError
from hireproof.core.playbook import Playbook, load_playbook_text

# Parsed playbooks kept in memory: a page view re-reads the same few versions again and again.
_PARSED_CACHE_SIZE = 64


class PublishedVersionIsImmutable(Exception):
    """Something tried to change or delete a published playbook version."""


class StoredPlaybookIsCorrupt(Exception):
    """A stored version no longer loads to the content its hash names; never serve it."""


class PlaybookVersionQuerySet(models.QuerySet["PlaybookVersion"]):
    """Published versions: read them, add new ones; bulk changes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise PublishedVersionIsImmutable("published playbook versions cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PublishedVersionIsImmutable("published playbook versions cannot be deleted")


class PlaybookVersion(models.Model):
    """One published version of a playbook: its YAML source and the hash of its content.

    ``content_hash`` is the core's playbook hash (SHA-256 over the validated content), so two
    files that differ only in comments or layout are the same version. Create rows only with
    ``actions.do_publish_playbook``.
    """

    playbook_id = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    title = models.TextField()
    content_hash = models.CharField(max_length=64, unique=True)
    source = models.TextField(help_text="The YAML text exactly as uploaded.")
    is_builtin = models.BooleanField(default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="published_playbooks",
    )
    published_at = models.DateTimeField()

    objects = PlaybookVersionQuerySet.as_manager()

    # Set by ``do_publish_playbook`` on the row it returns: True when that call published it,
    # False when an identical version was already there. Not stored.
    just_published: bool = False

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["playbook_id", "version"], name="playbook_version_unique"
            )
        ]
        ordering: ClassVar[list[str]] = ["playbook_id", "-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.playbook_id} {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PublishedVersionIsImmutable(
                f"{self} is published and cannot be changed; publish a new version instead"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PublishedVersionIsImmutable(f"{self} is published and cannot be deleted")

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the content hash, enough to tell versions apart."""
        return str(self.content_hash)[:12]

    @property
    def download_name(self) -> str:
        """The file name the YAML is downloaded as, e.g. ``data-scientist-mid-1.0.0.yaml``."""
        return f"{self.playbook_id}-{self.version}.yaml"

    def load(self) -> Playbook:
        """The core ``Playbook`` this version holds, checked against its stored hash.

        Raises ``StoredPlaybookIsCorrupt`` when the stored text no longer loads, or loads to
        different content (the row was edited behind our back, or a built-in it extends changed).
        """
        return _load_verified(self.content_hash, self.source, self.download_name)


@functools.lru_cache(maxsize=_PARSED_CACHE_SIZE)
def _load_verified(content_hash: str, source: str, filename: str) -> Playbook:
    # Keyed by the source as well as the hash: a row whose text was altered misses the cache
    # and fails the check below, instead of being served the genuine playbook from memory.
    try:
        # Loaded under the checks it was published with, so that its scores never change.
        playbook = load_playbook_text(source, filename, published=True)
    except PlaybookError as error:
        raise StoredPlaybookIsCorrupt(
            f"the stored playbook {filename} no longer loads:\n{error}"
        ) from None
    if playbook.hash != content_hash:
        raise StoredPlaybookIsCorrupt(
            f"the stored playbook {filename} does not match its content hash: "
            f"stored {content_hash}, computed {playbook.hash}"
        )
    return playbook


def published_playbook_source(playbook_id: str, version: str, digest: str) -> str:
    """The YAML text of the version published in the library with this hash, else a built-in's.

    What the audit export is given to find the playbooks a disclosed scoring event names: the
    log below knows nothing of this library. The CLI can score with a built-in that was never
    published, which is why the built-ins are the fallback.
    """
    source = PlaybookVersion.objects.filter(content_hash=digest).values_list("source", flat=True)
    found = source.first()
    return (
        str(found) if found is not None else builtin_playbook_source(playbook_id, version, digest)
    )
