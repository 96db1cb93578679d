"""CSV import of customers (upload, mapping, preview, background import) and CSV exports."""

from __future__ import annotations

from flask import Blueprint, request
from flask.sansio.blueprints import BlueprintSetupState

bp = Blueprint("imports", __name__)

# A 200,000-row export is 20 to 40 MB (app.imports.csvfile.MAX_UPLOAD_BYTES, checked after the
# upload with a clear message); the form's other fields and the multipart envelope take a little
# more. The app's limit is 2 MB.
UPLOAD_LIMIT = 40 * 1024 * 1024 + 64 * 1024


def _allow_large_upload() -> None:
    """Raise the body limit for the upload only: the other routes keep the app's limit."""
    if request.endpoint == "imports.upload" and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


@bp.record_once
def _first_before_request(state: BlueprintSetupState) -> None:
    # CSRF protection reads the form in an earlier before_request hook, which enforces the limit;
    # the larger limit must be set before it, hence first in the list.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_large_upload)


from app.imports import routes  # noqa: E402,F401  (routes attach to bp)

# Reading CSV files as spreadsheets write them, for other features' imports.
from app.imports.csvfile import UnreadableFile, decode, records, sniff_delimiter  # noqa: E402

# What other features may use (tests/test_architecture.py holds them to it).
__all__ = ["UnreadableFile", "bp", "decode", "records", "sniff_delimiter"]
