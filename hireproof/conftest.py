"""Fixtures every app's tests share: the named personas of ``hireproof.testing.personas``, the
real-browser fixtures of ``hireproof.testing.browser``, the shared databases of
``hireproof.testing.databases`` and the real processes of ``hireproof.testing.processes``."""

pytest_plugins = [
    "hireproof.testing.personas",
    "hireproof.testing.browser",
    "hireproof.testing.databases",
    "hireproof.testing.processes",
]
