"""The hiring pipeline, from a playbook to a decision, in layers that import only downwards:

``models`` (tables and shared queries) <- ``access`` (the permission funnel) and ``emails``
(what the pipeline sends) <- ``actions`` (``do_<verb>_<noun>``: the only write path) <- ``reads``
(queries and view models for pages; never write). The surfaces (``hireproof.views``,
``hireproof.cli``) sit above all of them.
"""
