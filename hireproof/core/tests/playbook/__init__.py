"""Tests of playbook loading, validation, identity and the built-in playbooks."""
