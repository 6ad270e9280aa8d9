"""Test support shared by every part's tests (pytest plugins, loaded by ``hireproof/conftest.py``
and ``-p hireproof.testing.env``): a private data folder per run (``env``), the named personas
and the pipeline's common fixtures (``personas``), the real browser (``browser``), and a
database several threads share (``databases``)."""
