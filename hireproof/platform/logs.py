"""What the server's log may say: never a candidate's personal link.

The token in ``/a/<token>/`` is the candidate's only credential. Django names the path of every
refused request (``Not Found: /a/<token>/questions/``) and waitress the path of a request that
failed; whoever reads the log (an operator, a log service) would hold working links.
``RedactCandidateTokens``, a filter on the log handler, replaces each token with ``[token]``
in every record, whatever logger wrote it.
"""

from __future__ import annotations

import logging
import re

# A candidate's path: ``/a/`` then the token, up to the next slash (or the end, a query, a
# fragment, a space or a quote, as a log line may quote the path).
_CANDIDATE_PATH = re.compile(r"(/a/)[^/?#\s'\"]+")
REDACTED = r"\1[token]"


def redact_tokens(text: str) -> str:
    """``text`` with the token of every candidate path in it replaced by ``[token]``."""
    return _CANDIDATE_PATH.sub(REDACTED, text)


class RedactCandidateTokens(logging.Filter):
    """Rewrite each record's message (and its exception text) without candidate tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        return True
