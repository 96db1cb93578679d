"""My data (P-10): everything the company holds about the homeowner, downloaded as JSON or as
a zip of CSV files (one per section), read through the homeowner's own policies so that it can
only ever hold their rows; each download is recorded in the access log. And "who looked at my
record": the role, first name and time of each recorded read of their record by the company's
members (`app.portal_record_views`, from the audit log's access entries)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from flask import current_app, make_response, render_template, request
from werkzeug.wrappers import Response

from app import csv_export, db, sql
from app.portal import bp
from app.portal.identity import portal_required, signed_in
from app.portal.nav import NAV
from app.portal.properties import first_names
from app.portal.zone import company_zone

queries = sql.load(__file__, "data.sql")
NAV.append(("My data", "portal.data"))
SECTIONS = (
    "customer", "contacts", "properties", "equipment", "service_history", "jobs", "visits",
    "estimates", "estimate_options", "estimate_lines", "invoices", "invoice_lines", "payments",
    "agreements", "messages",
)  # fmt: skip
VIEWS_PER_PAGE = 50
ROLES = {
    "owner": "Owner",
    "admin": "Administrator",
    "dispatcher": "Dispatcher",
    "office": "Office",
    "technician": "Technician",
}


def _kept(key: str, value: Any) -> bool:
    """What a download holds of a row: not the search helpers, hashes or ciphertext (which
    mean nothing outside the database), nor raw bytes."""
    return (
        key != "search_text"
        and not key.endswith(("_hash", "_encrypted"))
        and not isinstance(value, bytes | memoryview)
    )


def _row(section: str, row: db.Row) -> dict[str, Any]:
    kept = {key: value for key, value in row.items() if _kept(key, value)}
    if section == "service_history":
        kept["technicians"] = first_names(kept.get("technicians") or "")
    return kept


def my_data() -> dict[str, list[dict[str, Any]]]:
    """Every section of the signed-in customer's data, as their own policies let them read it."""
    me = signed_in()
    mine = {"tenant_id": me.tenant_id, "customer_id": me.customer_id}
    read = db.query_together(*((getattr(queries, section), mine) for section in SECTIONS))
    return {
        section: [_row(section, row) for row in rows]
        for section, rows in zip(SECTIONS, read, strict=True)
    }


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.no_store = True
    return response


@bp.get("/data")
@portal_required
def data() -> str:
    before = _before(request.args.get("before", ""))
    views = db.query(queries.record_views, {"before": before, "limit": VIEWS_PER_PAGE + 1})
    return render_template(
        "portal/data.html",
        views=views[:VIEWS_PER_PAGE],
        older=views[VIEWS_PER_PAGE - 1]["viewed_at"] if len(views) > VIEWS_PER_PAGE else None,
        roles=ROLES,
        zone=company_zone(),
        requests_page="portal.data_requests" in current_app.view_functions,
    )


def _before(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/data/my-data.json")
@portal_required
def data_json() -> Response:
    db.value(queries.record_download, {"format": "json"})
    body = json.dumps(my_data(), default=str, indent=2, ensure_ascii=False)
    return _download(body.encode(), "application/json", "my-data.json")


@bp.get("/data/my-data.zip")
@portal_required
def data_csv() -> Response:
    db.value(queries.record_download, {"format": "csv"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section, rows in my_data().items():
            archive.writestr(f"{section}.csv", _csv(rows))
    return _download(buffer.getvalue(), "application/zip", "my-data.zip")


def _csv(rows: list[dict[str, Any]]) -> str:
    """A section as CSV: a header of its columns, then each row (cells as the office's exports
    write them, never run as a formula); an empty section is an empty file."""
    out = io.StringIO()
    if rows:
        writer = csv.writer(out)
        writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow(csv_export.cell(_flat(v)) for v in row.values())
    return out.getvalue()


def _flat(value: Any) -> Any:
    """Lists and documents inside a row as JSON text, so that a cell holds them whole."""
    return json.dumps(value, default=str) if isinstance(value, list | dict) else value
