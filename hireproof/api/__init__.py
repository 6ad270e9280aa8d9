"""The REST API (``/api/v1/``): a third surface beside the web pages and the command line.

It is django-ninja over the same access funnel, actions and reads as the pages: each endpoint
asks ``gate.acting(request, Scope.X)`` for the key's owner within its scope, asks the funnel
(``access_*(..., Permission.Y)``), then calls a ``do_*`` action or a read. ``app`` builds the API
and its error handling, ``gate`` guards every request (key, rate limit, idempotency),
``problems`` writes every error as RFC 9457 problem details, ``endpoints`` holds the resources,
and ``urls`` gives the URL patterns the site mounts.
"""
