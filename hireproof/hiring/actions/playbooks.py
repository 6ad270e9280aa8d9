"""Publishing playbooks: the only way a ``PlaybookVersion`` comes to exist.

Each publication runs in one transaction with its ``playbook.published`` audit event, whose
public part names the playbook's id, version and content hash.
"""

from __future__ import annotations

from importlib import resources

from django.db import IntegrityError, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.core.playbook import Playbook, builtin_ids, load_playbook_text
from hireproof.hiring.models.playbooks import PlaybookVersion

# Where the core keeps the bundled YAML files; read as text so the stored source is the file.
_BUILTIN_PACKAGE = "hireproof.core.playbook.builtin"
_SYSTEM_ACTOR = "system"
_FIELD_LIMITS = {"id": 200, "version": 50}


class PublishRefused(Exception):
    """A valid playbook that cannot be published as it is; ``str()`` says why and what to do."""


def do_publish_playbook(yaml_text: str, filename: str, *, actor: User | None) -> PlaybookVersion:
    """Validate ``yaml_text`` and publish it as a new playbook or a new version of one.

    ``actor`` is the staff member publishing; ``None`` means hireproof itself publishing a
    built-in. Raises ``PlaybookError`` (located problems) for an invalid file and
    ``PublishRefused`` when the id and version are taken by different content. Publishing
    content identical to an existing version changes nothing and returns that version, with
    ``just_published`` False.
    """
    playbook = load_playbook_text(yaml_text, filename)
    _check_field_lengths(playbook)
    existing = _published_as(playbook)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _publish(playbook, yaml_text, actor)
    except IntegrityError:
        # Someone published the same id and version between our check and our insert.
        existing = _published_as(playbook)
        if existing is None:
            raise
        return existing


def load_builtin_playbooks() -> None:
    """Publish every playbook bundled with hireproof; ``hireproof serve`` does it at every start
    (idempotent)."""
    folder = resources.files(_BUILTIN_PACKAGE)
    for playbook_id in builtin_ids():
        filename = f"{playbook_id}.yaml"
        do_publish_playbook(folder.joinpath(filename).read_text("utf-8"), filename, actor=None)


def _published_as(playbook: Playbook) -> PlaybookVersion | None:
    """The version already published with this id and version, if its content is the same."""
    existing = PlaybookVersion.objects.filter(
        playbook_id=playbook.id, version=playbook.version
    ).first()
    if existing is None:
        return None
    if existing.content_hash != playbook.hash:
        raise PublishRefused(
            f"{playbook.id} {playbook.version} is already published with different content; "
            "raise the version"
        )
    return existing


def _publish(playbook: Playbook, yaml_text: str, actor: User | None) -> PlaybookVersion:
    now = timezone.now()
    version = PlaybookVersion.objects.create(
        playbook_id=playbook.id,
        version=playbook.version,
        title=playbook.title,
        content_hash=playbook.hash,
        source=yaml_text,
        is_builtin=actor is None,
        published_by=actor,
        published_at=now,
    )
    record_event(
        EventType.PLAYBOOK_PUBLISHED,
        actor=actor.audit_actor if actor is not None else _SYSTEM_ACTOR,
        public={"id": playbook.id, "version": playbook.version, "hash": playbook.hash},
        at=now,
    )
    version.just_published = True
    return version


def _check_field_lengths(playbook: Playbook) -> None:
    values = {"id": playbook.id, "version": playbook.version}
    for name, limit in _FIELD_LIMITS.items():
        if len(values[name]) > limit:
            raise PublishRefused(
                f"the playbook's {name} is {len(values[name])} characters long; "
                f"the library keeps at most {limit}"
            )
