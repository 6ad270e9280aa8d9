"""The candidate's pages: the timed attempt, reached only through their personal link."""
