"""Input checked at the edge: before any view runs, a request whose address, headers, cookies,
query or form holds something no page of ours can use (a NUL or other control character, bytes
that are not UTF-8, a value far longer than any field) is refused as a bad request with a
clear message, instead of failing later on the way into the database or into a header."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request

# The longest values a person could mean: a header or cookie (browsers send a few KB), a query
# value (a search box, a cursor, a path to return to), a form field (a long note, with room).
MAX_HEADER = 8 * 1024
MAX_QUERY_VALUE = 2 * 1024
MAX_FORM_VALUE = 100_000
# Control characters: none in headers, cookies, the path or the query; forms keep tabs and
# line breaks (a note has several lines), nothing else.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NOT_TEXT = "The address contained characters that are not valid text (UTF-8)."
CONTROL = (
    "The request contained a character that cannot be stored (NUL or another control character)."
)
TOO_LONG = "The request contained a value that is far too long."


def init_app(app: Flask) -> None:
    """Refuse bad input first, before CSRF, sign-in or any view reads it."""
    app.before_request(refuse_bad_input)


def refuse_bad_input() -> None:
    environ = request.environ
    _check_address(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
    for name, value in request.headers.items():
        if len(value) > MAX_HEADER:
            abort(400, TOO_LONG)
        if _CONTROL.search(value) or _CONTROL.search(name):
            abort(400, CONTROL)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _check_form()


def _check_address(path: str, query: str) -> None:
    """The path and query as the client sent them: UTF-8, no control characters, not huge."""
    try:
        # WSGI hands the path over as latin-1 decoded bytes.
        decoded_path = path.encode("latin-1").decode("utf-8")
        pairs = [
            unquote_to_bytes(part.replace("+", " ")).decode("utf-8") for part in query.split("&")
        ]
    except (UnicodeEncodeError, UnicodeDecodeError):
        abort(400, NOT_TEXT)
    if _CONTROL.search(decoded_path) or any(_CONTROL.search(pair) for pair in pairs):
        abort(400, CONTROL)
    if any(len(pair) > MAX_QUERY_VALUE for pair in pairs):
        abort(400, TOO_LONG)


def _check_form() -> None:
    values = [value for _, value in request.form.items(multi=True)]
    values += [upload.filename or "" for upload in request.files.values()]
    for value in values:
        if len(value) > MAX_FORM_VALUE:
            abort(413, TOO_LONG)
        if _FORM_CONTROL.search(value) or "\ufffd" in value:
            abort(400, CONTROL if "\ufffd" not in value else NOT_TEXT)
