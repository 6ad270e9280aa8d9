"""Exporting the audit log for an auditor, from any surface (the audit page, the CLI).

A disclosure opens named candidates' committed fields to whoever holds the file, so it is itself
recorded (``audit.exported``, naming the pseudonyms) before the bundle is written. The export
finds the playbooks the disclosed scoring events name in this library
(``published_playbook_source``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from django.db import transaction

from hireproof.audit.export import Exported, export_bundle
from hireproof.audit.log import record_event
from hireproof.audit.models import Subject
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

    Refuses (``SubjectErasedError``) to disclose an erased subject, and (``UnsignedTailError``)
    to export leaves that cannot be signed unless ``allow_unsigned_tail`` (see
    ``audit.export.export_bundle``).
    """
    if disclose:
        with transaction.atomic():
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
