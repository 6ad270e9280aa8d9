"""The hiring file as a PDF: prepared by a background task into a stored file, never by a page.

WeasyPrint takes a second or more for a file, too long for a request (and a GET never writes).
"Prepare the PDF" (a POST) asks for it (``request_pdf``); the task ``prepare_pdf`` renders the
print template of the hiring file and stores the PDF sealed under the candidate's key, so an
erasure (which also deletes it) leaves no readable copy. Meanwhile the page says "being
prepared" and looks again every few seconds; once ready, the download serves the stored file.
A PDF prepared before the file changed (a later decision, say) is shown as out of date.

Rendering fetches nothing: the stylesheet is given as text and every URL is refused, so a link
typed into an answer or a note can never make the server open a connection.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from hireproof.audit import vault
from hireproof.core.canonical import canonical_json
from hireproof.hiring.access import candidate_rows
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.stage import with_stage
from hireproof.hiring.reads.hiring_file import HiringFile, hiring_file, to_json
from hireproof.platform.files import file_failed, request_file, store_file, stored_file
from hireproof.platform.models import StoredFile
from hireproof.platform.tasks import background_task, describe

PRINT_TEMPLATE = "decisions/hiring_file_print.html"
STYLESHEET = "decisions/hiring_file.css"
PDF_CONTEXT = "hiring-file.pdf"  # the vault context of the stored PDF


class FetchRefused(ValueError):
    """WeasyPrint asked for a URL while rendering; the hiring file needs none."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A WeasyPrint ``url_fetcher`` that refuses every URL."""
    raise FetchRefused(f"the hiring file fetches nothing (asked for {url[:80]})")


def render_pdf(file: HiringFile) -> bytes:
    """The PDF bytes of ``file``."""
    # Imported here: WeasyPrint loads Pango and fonts, which only the rendering needs.
    from weasyprint import CSS, HTML

    html = render_to_string(PRINT_TEMPLATE, {"file": file, "page": file.page})
    # The page's own stylesheet (a static file: the web page links it, as the CSP allows no
    # inline style), given to WeasyPrint as text: it fetches nothing.
    stylesheet = CSS(
        string=Path(str(finders.find(STYLESHEET))).read_text(), url_fetcher=refuse_fetch
    )
    pdf: bytes = HTML(string=html, url_fetcher=refuse_fetch).write_pdf(stylesheets=[stylesheet])
    return pdf


def pdf_key(candidate_id: int) -> str:
    """The stored file of a candidate's hiring file PDF."""
    return f"hiring-file {candidate_id}"


def source_hash(file: HiringFile) -> str:
    """What the PDF of ``file`` shows, as one hash: its JSON, less the time it was read."""
    facts = to_json(file)
    facts.pop("generated_at", None)
    return hashlib.sha256(canonical_json(facts)).hexdigest()


@dataclass(frozen=True)
class PdfState:
    """Where the PDF of a hiring file stands, for the page."""

    stored: StoredFile | None
    current: bool  # prepared from the file as it is now

    @property
    def ready(self) -> bool:
        """Prepared (perhaps before a later change: see ``current``)."""
        return self.stored is not None and self.stored.ready

    @property
    def preparing(self) -> bool:
        """Asked for, and not prepared yet."""
        return self.stored is not None and not self.stored.ready

    @property
    def error(self) -> str:
        """Why the last try to prepare it failed ("" if it did not)."""
        return self.stored.error if self.stored is not None and not self.stored.ready else ""


def pdf_state(file: HiringFile) -> PdfState:
    """The stored PDF of ``file``'s candidate, and whether it shows the file as it is now."""
    stored = stored_file(pdf_key(file.candidate.pk))
    current = stored is not None and stored.ready and stored.source_hash == source_hash(file)
    return PdfState(stored=stored, current=current)


def request_pdf(candidate: Candidate) -> None:
    """Have the candidate's hiring file PDF prepared (again); the page's POST calls this."""
    request_file(
        pdf_key(candidate.pk),
        # An erased candidate's file holds nothing personal (and their key is gone).
        sealed_for="" if candidate.is_erased else candidate.subject.pseudonym,
        prepare=prepare_pdf,
        args=(candidate.pk,),
    )


def pdf_bytes(candidate: Candidate, stored: StoredFile) -> bytes:
    """The stored PDF, unsealed if it was sealed."""
    content = bytes(stored.content or b"")
    if not stored.sealed_for:
        return content
    return base64.b64decode(vault.unseal(candidate.subject, content, context=PDF_CONTEXT))


@background_task(label="Prepare a hiring file's PDF", tries=3, first_delay=10.0)
def prepare_pdf(candidate_id: int) -> None:
    """Render the hiring file of candidate ``candidate_id`` and store its PDF, sealed under
    their key (as it is, once they are erased: it then holds nothing personal). An erasure
    while it renders deletes the request, and then nothing is stored."""
    key = pdf_key(candidate_id)
    candidate = with_stage(candidate_rows(), timezone.now()).filter(pk=candidate_id).first()
    if candidate is None:
        return
    file = hiring_file(candidate)
    try:
        pdf = render_pdf(file)
    except Exception as error:
        file_failed(key, describe(error))
        raise  # tried again later, and listed on the Background work page if it keeps failing
    if candidate.is_erased:
        content = pdf
    else:
        text = base64.b64encode(pdf).decode("ascii")
        content = vault.seal(candidate.subject, text, context=PDF_CONTEXT)
    store_file(key, content, source_hash=source_hash(file))
