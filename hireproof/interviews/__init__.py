"""Structured interviews: assignments, the interview kit, and independent, versioned scorecards."""
