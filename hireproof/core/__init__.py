"""The framework-free core of hireproof: playbooks, scoring, decisions, timing and the audit log.

Everything here is pure: every input is an argument (the current time too), no database, no
web framework. The Django apps and the command line call the core; the core never calls them
(an import-linter contract checks this in ``make test``).

Subpackages:

- ``playbook``: the YAML format, validated into frozen objects with a content hash.
- ``scoring``: ``score()`` an answer sheet into a scorecard, ``decide()`` a recommendation.
- ``timing``: the assessment clock and accommodations.
- ``audit``: the RFC 9162 Merkle log, commitments, signed checkpoints and the offline verifier.
- ``canonical``: canonical JSON (RFC 8785) and the SHA-256 digests taken over it.
- ``errors``: the exception tree.
"""

__all__ = ["audit", "canonical", "errors", "playbook", "scoring", "timing"]
