"""The invoices list as a CSV file: every invoice the list's filters find (all its pages, in its
order), read a batch at a time; amounts as plain decimals and days as ISO dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import roles, sql
from app.auth import identity
from app.csv_export import Export, build_rows, csv_response
from app.invoices import bp, service
from app.invoices.routes import list_filter
from app.invoices.vocabulary import STATUSES

LIST = Export(
    "public.invoices",
    service.queries.list_invoices,
    (
        "Invoice",
        "Status",
        "Billed to",
        "Issued on",
        "Due on",
        "Currency",
        "Total",
        "Paid",
        "Balance due",
        "Technicians",
    ),
)


def _cells(row: dict[str, Any]) -> Iterable[Any]:
    return (
        service.display_number(row),
        STATUSES[row["status"]],
        row["bill_to_name"],
        row["issued_on"],
        row["due_on"],
        row["currency"],
        row["total"],
        row["paid"],
        row["balance"],
        row["technicians"],
    )


@bp.get("/invoices/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_list() -> Response:
    form = list_filter()
    if not form.validate():
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("invoices.index", **args))  # the list says what is wrong
    params = {**service.list_params(current_user.tenant_id, form.criteria()), **sql.WHOLE_LIST}
    chunks = build_rows(LIST, params, "export_invoices", _cells)
    return csv_response(chunks, f"invoices-{date.today().isoformat()}.csv")
