"""Example answer sheets for the built-in playbooks (item id -> answer), as JSON files."""
