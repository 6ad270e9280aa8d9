"""``python -m hireproof`` is the ``hireproof`` command line."""

import sys

from hireproof.cli import main

sys.exit(main())
