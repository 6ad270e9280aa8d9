"""The candidate's timed attempt: start, autosave, deadline, submission, scoring, receipt."""
