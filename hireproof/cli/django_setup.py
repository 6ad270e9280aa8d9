"""Setting Django up inside a command that needs the application's database.

Nothing here is imported at registration time, so the core-only commands (``hireproof audit
verify``, ``hireproof score`` without ``--record``) never load Django.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from typing import Any

Handler = Callable[..., int]


def with_django(handler: Handler) -> Handler:
    """Set Django up, check the files and keys as a server's start does
    (``hireproof.audit.startup``), and turn a missing or unreachable database into a plain
    message.

    The wrapped handler takes the parsed arguments first, then anything its caller passes on.
    """

    @functools.wraps(handler)
    def run(args: argparse.Namespace, *more: Any) -> int:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hireproof.settings")
        import django
        from django.db import DatabaseError

        django.setup()
        from hireproof.audit.startup import notices, prepare_process

        try:
            # Every command that opens the database may write the log (an append signs a
            # checkpoint): the same checks as a server's start. The KEK's place only refuses
            # under production settings; the server warns about it otherwise.
            for line in notices(prepare_process(), kek_warning=False):
                print(line, file=sys.stderr)
            return handler(args, *more)
        except DatabaseError as error:
            print(
                f"hireproof: the database could not be used ({_first_line(error)})."
                " Has it been created (`hireproof serve` migrates it on start)?",
                file=sys.stderr,
            )
            return 2
        except OSError as error:
            print(f"hireproof: {error.filename or 'a file'}: {error.strerror}", file=sys.stderr)
            return 2

    return run


def _first_line(error: Exception) -> str:
    return str(error).strip().split("\n", 1)[0]
