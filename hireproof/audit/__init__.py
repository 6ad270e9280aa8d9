"""The audit log inside the application: storage, the single writer, checkpoints, erasure.

- ``log.record_event(...)``: the one write path, called inside each ``do_*`` action's
  transaction. ``store`` reads the stored tree and serialises writers.
- ``checkpoints``: signed checkpoints (every ``HIREPROOF_CHECKPOINT_EVERY`` events or
  ``HIREPROOF_CHECKPOINT_SECONDS``, and on demand), refusing to sign a fork. ``checkpointer``
  holds the background tasks that sign them off the request path, within that period.
- ``keys``: the Ed25519 signing key and the KEK, in files outside the database.
- ``vault``: per-candidate ``Subject`` (pseudonym + wrapped keys), ``seal`` / ``unseal``.
- ``actions``: ``do_erase_subject`` and ``rotate_signing_key``; ``scrub``: once an erasure
  commits, the old rows out of the database's files (retried by a periodic task while a
  reader blocks it).
- ``export.export_bundle`` (which first signs any leaves no checkpoint covers yet) and
  ``receipts.receipt_for``: what auditors and candidates get; ``receipt_check``: a stored
  receipt checked against the log's own key history, as the pages show it.
- ``startup.prepare_process``: what every process that serves or writes checks first (file
  modes, the KEK's place) and settles (retired keys a crash left behind).

Erasure, in plain words. After ``do_erase_subject`` an auditor can still check: every checkpoint
signature, the consistency of all checkpoints, every root recomputed from the leaves, that
each of the candidate's events happened when the log says, which playbook version and
scorecard hash a score was recorded with, and the erasure event itself. An auditor can no
longer: open any of the candidate's commitments (answers, name, email), and therefore not
re-run the scorer on their answers. That loss is the point of erasure, not a defect.
"""
