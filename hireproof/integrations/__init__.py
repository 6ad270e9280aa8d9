"""The endpoints applicant tracking systems call, each speaking its vendor's contract.

A sibling of ``views``, ``api`` and ``cli``: a surface over the same actions, reads and
funnel. ``basic.py`` is the door (HTTP Basic auth with an API key as the user name, the key's
rate limit); ``greenhouse.py`` the Greenhouse Assessment Partner endpoints; ``urls.py`` mounts
them under ``/integrations/<ats>/``.
"""
