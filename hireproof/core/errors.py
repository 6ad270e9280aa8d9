"""Every error the core raises, in one tree.

    HireproofError                  base of everything below; str() is a plain-words message
    ├── PlaybookError               a playbook file is wrong (one or more located problems)
    ├── AnswersError                an answer sheet is wrong (unknown item id, not a string, ...)
    ├── InterviewsError             interview ratings are wrong (unknown question, bad rating)
    └── AuditError                  the audit log, a proof, a checkpoint or a bundle is wrong
        ├── ProofError              an inclusion or consistency proof does not verify
        ├── SignatureError          a signed note or checkpoint signature does not verify
        └── ForkError               a new checkpoint is not consistent with the last signed one

The core raises only these (and ``ValueError``/``TypeError`` for programming mistakes), so a
surface (CLI, web, API) can turn any of them into a clear 4xx or exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AnswersError",
    "AuditError",
    "ForkError",
    "HireproofError",
    "InterviewsError",
    "PlaybookError",
    "Problem",
    "ProofError",
    "SignatureError",
]


class HireproofError(Exception):
    """Base class of every error the core raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located problem in a file: ``file:line:column: path: message``.

    ``line`` and ``column`` are 1-based; 0 means "not known" (e.g. a rule that spans the file).
    ``path`` is the field path in the document, like ``assessment.items[2].key``.
    """

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PlaybookError(HireproofError):
    """A playbook could not be loaded; ``problems`` lists every located problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AnswersError(HireproofError):
    """An answer sheet does not fit the playbook it is scored against."""


class InterviewsError(HireproofError):
    """Interview ratings do not fit the playbook's interview kit."""


class AuditError(HireproofError):
    """The audit log, a proof, a checkpoint or an export bundle failed a check."""


class ProofError(AuditError):
    """An inclusion or consistency proof does not verify."""


class SignatureError(AuditError):
    """A signed note or a checkpoint signature does not verify."""


class ForkError(AuditError):
    """A checkpoint would not be consistent with the last one signed: the log has forked."""
