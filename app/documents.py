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
import mimetypes
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from flask import current_app
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.wrappers import Response

from app import fragments
from app.integrations import files

log = logging.getLogger(__name__)

# Importing WeasyPrint tells Pillow, for the whole process, to accept truncated images (grey
# where the bytes end). The files port must refuse them (a truncated upload is not kept), and
# a document only shows pictures the port cleaned: Pillow's default again.
ImageFile.LOAD_TRUNCATED_IMAGES = False

# Where the document's relative links (`/static/app.css`) are resolved: a name reserved never
# to resolve (RFC 2606), served by LocalOnly from the static folder, never looked up.
BASE_URL = "https://document.plenum.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,99}\.pdf")


class Refused(ValueError):
    """A URL the document may not fetch: it renders without what the URL names."""


class LocalOnly(URLFetcher):
    """WeasyPrint's URL fetcher for documents: the app's static files and `data:` URLs, nothing
    else (no http, https, ftp or file URL is ever opened). What it refused is kept, for the
    log and the tests."""

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.static = Path(static_folder).resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return _data(url)
        if url.startswith(STATIC_PREFIX):
            name = unquote(urlsplit(url).path).removeprefix("/static/")
            path = (self.static / name).resolve()
            if path.is_relative_to(self.static) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        self.refused.append(url[:200])
        raise Refused(f"a document fetches nothing from {url[:200]}")


def _data(url: str) -> URLFetcherResponse:
    """A `data:` URL's bytes (RFC 2397), read here: nothing is opened."""
    header, comma, payload = url.removeprefix("data:").partition(",")
    if not comma:
        raise Refused("a data: URL without data")
    kind, *params = header.split(";")
    if params and params[-1] == "base64":
        body = base64.b64decode(unquote_to_bytes(payload), validate=False)
    else:
        body = unquote_to_bytes(payload)
    return URLFetcherResponse(url[:64], body, {"Content-Type": kind or "text/plain"})


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
    """The document as a PDF: its HTML laid out by WeasyPrint with the print stylesheet."""
    started = time.perf_counter()
    fetcher = LocalOnly(current_app.static_folder or "static")
    document = HTML(string=html(template_name, **context), base_url=BASE_URL, url_fetcher=fetcher)
    rendered = document.render()
    data = rendered.write_pdf()
    assert isinstance(data, bytes)
    log.info(
        "documents: %s, %d page(s), %.0f ms%s",
        template_name,
        len(rendered.pages),
        (time.perf_counter() - started) * 1000,
        f", {len(fetcher.refused)} URL(s) refused" if fetcher.refused else "",
    )
    return data


def download(data: bytes, filename: str) -> Response:
    """A PDF to save: as an attachment under `filename`, kept by no cache."""
    if not _FILENAME.fullmatch(filename):
        raise ValueError(f"not a document's file name: {filename!r}")
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
