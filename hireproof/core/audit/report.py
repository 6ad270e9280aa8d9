"""What the verifier found: every failure with where it is, and the counts it checked."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Failure", "Report"]


@dataclass(frozen=True)
class Failure:
    """One thing that did not verify, and where: a leaf (or leaves), its event, a field."""

    leaf_index: int | None
    event: str | None
    field: str | None
    message: str
    leaf_end: int | None = None  # exclusive end when only a range of leaves can be named

    def __str__(self) -> str:
        parts = []
        if self.leaf_index is not None:
            if self.leaf_end is not None and self.leaf_end - self.leaf_index > 1:
                where = f"leaves {self.leaf_index}-{self.leaf_end - 1}"
            else:
                where = f"leaf {self.leaf_index}"
            parts.append(f"{where} ({self.event})" if self.event else where)
        if self.field is not None:
            parts.append(f"field {self.field}")
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Report:
    """What ``verify_bundle`` found. ``ok`` is true only if nothing failed."""

    origin: str
    leaves: int
    failures: tuple[Failure, ...]
    erased_subjects: tuple[str, ...]
    checkpoints_verified: int
    checkpoints_total: int
    signed_size: int  # the largest verified checkpoint size
    consistent_pairs: int  # successive checkpoints shown consistent
    proofs_checked: int
    openings_checked: int
    rescored: int

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return not self.failures

    @property
    def unsigned_leaves(self) -> int:
        """Leaves after the latest verified checkpoint: present, but not yet signed."""
        return max(0, self.leaves - self.signed_size)

    def summary(self) -> str:
        """A plain-words summary, one fact per line, then every failure."""
        lines = [
            f"bundle: {self.leaves} leaves of log {self.origin}",
            f"checkpoints: {self.checkpoints_verified} of {self.checkpoints_total} verified, "
            f"latest signs {self.signed_size} leaves",
            f"consistency: {self.consistent_pairs} successive checkpoint pairs consistent, "
            f"{self.proofs_checked} consistency proofs checked",
            f"openings: {self.openings_checked} commitments opened, "
            f"{self.rescored} scoring events re-scored",
        ]
        if self.unsigned_leaves:
            lines.append(
                f"not yet signed: leaves {self.signed_size}-{self.leaves - 1} "
                "(no checkpoint covers them yet)"
            )
        erased = ", ".join(self.erased_subjects) or "none"
        lines.append(f"erased subjects: {erased} (their commitments can no longer be opened)")
        if self.ok:
            lines.append("result: OK")
        else:
            count = len(self.failures)
            lines.append(f"result: FAILED ({count} problem{'' if count == 1 else 's'})")
            lines.extend(f"  {failure}" for failure in self.failures)
        return "\n".join(lines)
