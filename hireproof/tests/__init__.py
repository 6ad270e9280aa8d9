"""Checks of the whole product at once: its structure, its permission table against every URL,
and that opening a page never writes."""
