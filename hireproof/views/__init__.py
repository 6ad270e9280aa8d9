"""The web surfaces: staff pages (``staff``) and the candidate's pages (``candidate``).

A view parses the request, asks the access funnel (``hireproof.hiring.access``) for what it
shows with the permission it needs, then acts (``hireproof.hiring.actions``) or reads
(``hireproof.hiring.reads``) and renders. Every URL of the site is in ``urls``; every view is
marked by one of the three decorators of ``decorators`` (staff, candidate or public), and a
test checks each against the permission table.
"""
