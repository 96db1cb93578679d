"""Documents on paper: estimates and invoices as PDF files, from the same HTML and CSS as the
screen (with `app/static/document.css` for the page itself: margins, page numbers, breaks).

A document is rendered like a fragment (app/fragments.py): from the values it is given and
nothing else, without the request's globals, anything undefined raising. WeasyPrint then lays
it out in the request. It fetches nothing over the network, ever: its URL fetcher serves the
app's own static files and `data:` URLs (the company's logo and a signature, read through the
files port by the caller and given in the context as bytes) and refuses every other URL, so a
document that names an outside image (a note pasted from an email, a bug) renders without it.
"""

from __future__ import annotations

import base64
import logging
import re
from typing import Any

from werkzeug.wrappers import Response

from app import fragments
from app.integrations import files

log = logging.getLogger(__name__)

# Where the document's relative links (`/static/app.css`) are resolved: a name reserved never
# to resolve (RFC 2606), served by LocalOnly from the static folder, never looked up.
BASE_URL = "https://document.plenum.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,99}\.pdf")


class Refused(ValueError):
    """A URL the document may not fetch: it renders without what the URL names."""


def data_url(data: bytes, content_type: str = "image/png") -> str:
    """Bytes as a `data:` URL, for a picture inside a document (and on its page: the CSP allows
    `img-src data:`)."""
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def image_url(key: str | None) -> str | None:
    """A stored picture (a logo, a signature) as a `data:` URL; None without one, or when its
    file is missing (the document is still given, without the picture)."""
    if not key:
        return None
    try:
        data = files.store().get(key)
    except files.FileMissing:
        log.warning("documents: a picture named by a row is missing from the file store")
        return None
    return data_url(data, files.sniff(data) or "image/png")


def html(template_name: str, **context: Any) -> str:
    """The document's HTML: the template rendered from `context` alone."""
    template = fragments.environment().get_template(template_name)
    return template.render(context)


def pdf(template_name: str, **context: Any) -> bytes:
    """The document as a PDF: its HTML laid out by WeasyPrint (`app/paper.py`, imported on the
    first PDF, so that no process pays for WeasyPrint before it makes one)."""
    from app import paper

    return paper.render(template_name, html(template_name, **context))


def download(data: bytes, filename: str) -> Response:
    """A PDF to save: as an attachment under `filename`, kept by no cache."""
    if not _FILENAME.fullmatch(filename):
        raise ValueError(f"not a document's file name: {filename!r}")
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
