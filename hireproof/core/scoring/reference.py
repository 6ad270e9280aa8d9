"""Exactly which rubric produced a result: a playbook's id, version and content hash."""

from __future__ import annotations

from dataclasses import dataclass

from hireproof.core.playbook.model import Playbook

__all__ = ["PlaybookRef"]


@dataclass(frozen=True)
class PlaybookRef:
    """Exactly which rubric produced a result: id, version and content hash."""

    id: str
    version: str
    hash: str

    @classmethod
    def of(cls, playbook: Playbook) -> PlaybookRef:
        """The reference to ``playbook``."""
        return cls(playbook.id, playbook.version, playbook.hash)

    def to_dict(self) -> dict[str, str]:
        """``{"id", "version", "hash"}``."""
        return {"id": self.id, "version": self.version, "hash": self.hash}
