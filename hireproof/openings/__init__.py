"""Openings, their candidates and invitations, and the pipeline page."""
