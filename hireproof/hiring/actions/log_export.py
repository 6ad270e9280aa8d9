"""Exporting the audit log for an auditor, from any surface (the audit page, the CLI).

A disclosure opens named candidates' committed fields to whoever holds the file, so it is itself
recorded (``audit.exported``, naming the pseudonyms) before the bundle is written, and only once
nothing refuses it: an erased subject, or newest leaves the log cannot sign, are refused first,
and a refused export records nothing. The export finds the playbooks the disclosed scoring
events name in this library (``published_playbook_source``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.db import transaction

from hireproof.audit.export import Exported, UnsignedTailError, export_bundle, sign_unsigned_tail
from hireproof.audit.log import record_event
from hireproof.audit.models import Subject
from hireproof.audit.vault import SubjectErasedError
from hireproof.core.audit import EventType
from hireproof.hiring.models.playbooks import published_playbook_source


def do_export_log(
    out_path: str | os.PathLike[str],
    *,
    actor: str,
    disclose: Sequence[Subject] = (),
    allow_unsigned_tail: bool = False,
) -> Exported:
    """Write the whole log to ``out_path``, disclosing ``disclose``; a disclosure is recorded.

    Refuses (``SubjectErasedError``) to disclose an erased subject, (``UnsignedTailError``)
    to export leaves that cannot be signed unless ``allow_unsigned_tail`` (see
    ``audit.export.export_bundle``), and (``OSError``) a place no file can be written. All are
    checked before the disclosure is recorded, so a refused export leaves no ``audit.exported``
    event behind.
    """
    if disclose:
        _refuse_unwritable(out_path)
        refusal = sign_unsigned_tail()
        if refusal is not None and not allow_unsigned_tail:
            first, last = refusal.unsigned[0], refusal.unsigned[-1]
            raise UnsignedTailError(
                f"leaves {first}-{last} cannot be signed ({refusal.reason}), so an export would"
                " hold leaves no checkpoint covers; fix the signing key, or export anyway (the"
                " bundle will fail verification). Nothing was disclosed or recorded"
            )
        with transaction.atomic():
            # Locked, so no erasure commits between this check and the disclosure it records.
            locked = Subject.objects.select_for_update().filter(pk__in=[s.pk for s in disclose])
            _refuse_erased(locked)
            record_event(
                EventType.AUDIT_EXPORTED,
                actor=actor,
                public={"disclosed": sorted(subject.pseudonym for subject in disclose)},
            )
    return export_bundle(
        out_path,
        disclose=disclose,
        playbook_source=published_playbook_source,
        allow_unsigned_tail=allow_unsigned_tail,
    )


def _refuse_unwritable(out_path: str | os.PathLike[str]) -> None:
    """``OSError`` naming ``out_path`` if no file can be written there."""
    folder = Path(out_path).absolute().parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(out_path))
    if not os.access(folder, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(out_path))


def _refuse_erased(subjects: Iterable[Subject]) -> None:
    erased = sorted(subject.pseudonym for subject in subjects if subject.is_erased)
    if erased:
        raise SubjectErasedError(
            f"subject {', '.join(erased)} was erased: their keys are destroyed, so nothing of"
            " theirs can be disclosed. Nothing was exported or recorded"
        )
