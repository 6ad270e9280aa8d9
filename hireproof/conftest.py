"""Fixtures every app's tests share: the named personas of ``hireproof.testing.personas`` and the
real-browser fixtures of ``hireproof.testing.browser``."""

pytest_plugins = ["hireproof.testing.personas", "hireproof.testing.browser"]
