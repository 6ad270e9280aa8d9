"""What every other part stands on: typed settings from the environment, background threads, the
staff-editable message templates, sending one email, the version, and the base templates, error
pages and static files of the site.

It imports only the core and Django; nothing here knows about staff, candidates or the log.
"""
