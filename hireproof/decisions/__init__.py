"""The decisions app: the recommendation, the person's final decision, and the hiring file."""
