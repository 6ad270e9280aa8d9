"""Files a background task prepares on request (the hiring file's PDF), kept in the database.

A page asks for one with ``request_file`` (a POST: a GET never writes), which resets the stored
file and queues the task that prepares it, in one transaction; the task stores what it made
with ``store_file``. Until then the page says it is being prepared. The content is whatever its
owner stores (sealed under a candidate's key when it holds their personal data) and reads back.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from hireproof.platform.models import StoredFile
from hireproof.platform.tasks import Arg, enqueue

ERROR_LENGTH = 2000


def request_file(
    key: str, *, sealed_for: str, prepare: Callable[..., None], args: tuple[Arg, ...]
) -> StoredFile:
    """Ask for the file ``key`` to be prepared (again) by the task ``prepare(*args)``."""
    with transaction.atomic():
        stored, _ = StoredFile.objects.update_or_create(
            key=key,
            defaults={
                "sealed_for": sealed_for,
                "requested_at": timezone.now(),
                "prepared_at": None,
                "content": None,
                "source_hash": "",
                "error": "",
            },
        )
        enqueue(prepare, *args)
    return stored


def stored_file(key: str) -> StoredFile | None:
    """The file ``key`` as it stands (None: never asked for)."""
    return StoredFile.objects.filter(key=key).first()


def store_file(key: str, content: bytes, *, source_hash: str) -> bool:
    """Keep what the task prepared; False if the request is gone meanwhile (the file was
    deleted, as an erasure does), and then nothing is stored."""
    stored = StoredFile.objects.filter(key=key).update(
        content=content, source_hash=source_hash, prepared_at=timezone.now(), error=""
    )
    return bool(stored)


def file_failed(key: str, error: str) -> None:
    """Say why the file could not be prepared (the page shows it; the task tries again)."""
    StoredFile.objects.filter(key=key).update(error=error[:ERROR_LENGTH])
