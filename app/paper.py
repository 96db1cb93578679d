"""WeasyPrint, for app/documents.py: a document's HTML laid out as a PDF, fetching nothing but
the app's own static files and `data:` URLs. Imported on the first PDF a process makes."""

from __future__ import annotations

import base64
import logging
import mimetypes
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from flask import current_app
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.documents import BASE_URL, STATIC_PREFIX, Refused

log = logging.getLogger("app.documents")

# Importing WeasyPrint tells Pillow, for the whole process, to accept truncated images (grey
# where the bytes end). The files port must refuse them (a truncated upload is not kept), and
# a document only shows pictures the port cleaned: Pillow's default again.
ImageFile.LOAD_TRUNCATED_IMAGES = False


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


def render(template_name: str, document_html: str) -> bytes:
    """`document_html` laid out with the print stylesheet, as PDF bytes."""
    started = time.perf_counter()
    fetcher = LocalOnly(current_app.static_folder or "static")
    document = HTML(string=document_html, base_url=BASE_URL, url_fetcher=fetcher)
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
