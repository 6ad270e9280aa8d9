"""WSGI entry point for the production server: ``hireproof serve`` and any other WSGI server.

Before the application is handed to the server, the process is prepared as every entry point
that serves or writes is (``hireproof.audit.startup``): a key file, the data folder or the
database file open to other users, or under production settings a KEK inside the data folder,
refuses the start (the server cannot load the application, and says why); retired private
keys a crash left behind are settled. What it did and found is printed on stderr.
"""

from __future__ import annotations

import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hireproof.settings")
application = get_wsgi_application()


def _prepare() -> None:
    from hireproof.audit.startup import notices, prepare_once

    prepared = prepare_once()  # `hireproof serve` prepared this process already
    for line in notices(prepared) if prepared is not None else ():
        print(line, file=sys.stderr, flush=True)


_prepare()
