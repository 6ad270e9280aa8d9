"""Reading the hiring pipeline for pages: queries and view models, never a write.

Each module gathers what one page (or one document) shows in a fixed number of queries:
``pipeline``, ``candidate_page`` (with ``timeline`` and ``highlight``), ``interviews``,
``decision_panel``, ``hiring_file``, ``candidate_attempt`` (what a candidate is shown, never
the key) and ``playbook_guide`` (a playbook in words, and its loader problems).
"""
