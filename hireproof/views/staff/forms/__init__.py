"""The forms staff pages parse, one module per page module."""
