"""The only write path of the hiring pipeline: ``do_<verb>_<noun>()``.

Each action is one transaction that records its audit event with
``hireproof.audit.log.record_event``, and calls the next action directly when its change is an
input of another (scoring an attempt computes the first recommendation; submitting a scorecard
recomputes it). One module per feature: ``playbooks``, ``openings``, ``candidates``,
``invitations``, ``attempts``, ``reviews``, ``interviews``, ``recommendations``, ``decisions``,
``erasure``, ``log_export``, ``restore``. What runs the actions without being one lives above them:
``hireproof.hiring.sweeper`` (the periodic job that submits overdue attempts) and
``hireproof.hiring.demo`` (the sample data).
"""
