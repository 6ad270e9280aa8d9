"""Reviewing candidates: the candidate page, flag acknowledgements (and, later, interviews)."""
