"""Fixtures every app's tests share: the named personas of ``hireproof.testing`` and the
real-browser fixtures of ``hireproof.browser_testing``."""

pytest_plugins = ["hireproof.testing", "hireproof.browser_testing"]
