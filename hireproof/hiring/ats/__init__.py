"""What the pipeline tells applicant tracking systems (ATS), beside what it tells webhooks.

- ``facts``: an assessment order's status, score and metadata, read from the candidate's stage
  and the stored scorecard (never an answer, an answer key or a rubric);
- ``links``: the signed, read-only, expiring report link an ATS shows its users;
- ``exchanges``: every call between hireproof and an ATS, kept as a row and an audit event;
- ``greenhouse``: the Greenhouse Assessment Partner contract's answers and its PATCH;
- ``ashby``: the Ashby Assessments contract's ``assessment.update`` and its test event;
- ``push``: the queued, retried task that reports an order's new status to its ATS, and
  ``notify_orders``, which the actions that move a candidate call in their transaction.
"""
