"""What the verifier found: every failure with where it is, the counts it checked, and whether
the keys that signed the log are ones the auditor trusts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Failure", "Report", "Result"]


class Result(StrEnum):
    """The verdict: OK only when nothing failed and a key the auditor trusts signed the log."""

    OK = "OK"
    FAILED = "FAILED"  # something did not verify (the failures say what and where)
    UNTRUSTED = "UNTRUSTED"  # everything holds together, but no key you trust signed it


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
    """What ``verify_bundle`` found; ``result`` is the verdict.

    Only the proven prefix (``proven_size`` leaves: up to the largest checkpoint whose root
    matches the leaves, before any that does not) is reported as verified: erasures, openings
    and re-scoring beyond it are not checked, and counted in ``openings_unchecked``.
    """

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
    proven_size: int = 0
    proven_root: bytes | None = None  # the signed root of the proven prefix
    openings_unchecked: int = 0  # disclosed openings of leaves past the proven prefix
    trusted_keys: tuple[str, ...] = ()  # the keys you trust that this log uses (pinned/vouched)
    untrusted_keys: tuple[str, ...] = ()  # the log's keys that are not among them
    anchored: bool = False  # whether a key you trust signed a checkpoint that verified
    checked_against: tuple[int, bytes] | None = None  # the remembered checkpoint it extends
    witness_notes: tuple[str, ...] = ()  # what the witness checks found, one line each
    witness_quorum: int = 0  # how many of the auditor's witnesses had to cosign (0: none asked)
    witnessed_size: int | None = None  # the largest size they cosigned, when they were asked
    restore_notes: tuple[str, ...] = ()  # checkpoints superseded by a declared restore, one each

    @property
    def result(self) -> Result:
        """FAILED if anything failed, else UNTRUSTED unless a trusted key signed, else OK."""
        if self.failures:
            return Result.FAILED
        return Result.OK if self.anchored else Result.UNTRUSTED

    @property
    def ok(self) -> bool:
        """Whether everything verified under a key you trust."""
        return self.result is Result.OK

    @property
    def unsigned_leaves(self) -> int:
        """Leaves after the latest verified checkpoint: present, but signed by nobody."""
        return max(0, self.leaves - self.signed_size)

    def summary(self) -> str:
        """A plain-words summary, one fact per line, every failure, then the result.

        Without a key you trust, nothing is called verified: the lines say what holds together
        under the bundle's own keys, which anyone could have made.
        """
        lines = [f"bundle: {self.leaves} leaves of log {self.origin}"]
        if self.anchored:
            lines += [
                f"checkpoints: {self.checkpoints_verified} of {self.checkpoints_total} verified, "
                f"latest signs {self.signed_size} leaves",
                f"consistency: {self.consistent_pairs} successive checkpoint pairs consistent, "
                f"{self.proofs_checked} consistency proofs checked",
            ]
        else:
            lines += [
                "not verified: no key you trust signed this log; what follows holds only under "
                "the bundle's own keys, which anyone could have made",
                f"checkpoints: {self.checkpoints_verified} of {self.checkpoints_total} signed by "
                f"the bundle's own keys, the latest over {self.signed_size} leaves",
                f"consistency: {self.consistent_pairs} successive checkpoint pairs agree with the "
                f"leaves, {self.proofs_checked} consistency proofs agree",
            ]
        lines.append(
            f"openings: {self.openings_checked} commitments opened, "
            f"{self.rescored} scoring events re-scored"
        )
        if self.openings_unchecked:
            lines.append(
                f"openings not checked: {self.openings_unchecked} "
                "(no signed checkpoint covers them)"
            )
        erased = ", ".join(self.erased_subjects) or "none"
        if self.anchored:
            lines.append(f"erased subjects: {erased} (their commitments can no longer be opened)")
        else:
            lines.append(f"erased subjects, as the bundle claims them: {erased}")
        lines.append(f"trusted keys: {', '.join(self.trusted_keys) or 'none'}")
        lines.extend(self.witness_notes)
        lines.extend(self.restore_notes)
        if not self.anchored:
            lines.append("no trusted key: " + self._untrusted_reason())
        if self.failures:
            count = len(self.failures)
            lines.append(f"problems: {count}")
            lines.extend(f"  {failure}" for failure in self.failures)
        lines.append(f"result: {self.result}")
        return "\n".join(lines)

    def _untrusted_reason(self) -> str:
        if self.untrusted_keys:
            return "; ".join(
                f"the log's key {vkey} is not one you trust" for vkey in self.untrusted_keys
            )
        return "no checkpoint is signed by a key you trust"
