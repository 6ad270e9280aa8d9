"""Fixtures every app's tests share: the named personas of ``hireproof.testing.personas``, the
real-browser fixtures of ``hireproof.testing.browser`` and the database threads share
(``hireproof.testing.databases``)."""

pytest_plugins = [
    "hireproof.testing.personas",
    "hireproof.testing.browser",
    "hireproof.testing.databases",
]
