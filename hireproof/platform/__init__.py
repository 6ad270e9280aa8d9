"""What every other part stands on: typed settings from the environment, the task queue
(``tasks``), the staff-editable message templates, the outbox and sending one email, files tasks
prepare, the version, and the base templates, error pages and static files of the site.

It imports only the core and Django; nothing here knows about staff, candidates or the log.
"""
