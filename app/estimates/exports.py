"""The estimates list as a CSV file: every estimate the list's filters find (all its pages, in
its order), read a batch at a time; amounts as plain decimals and days as ISO dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from app import roles, sql
from app.auth import identity
from app.csv_export import Export, build_rows, csv_response
from app.estimates import bp, service
from app.estimates.routes import list_filter, list_params
from app.estimates.vocabulary import STATUSES

LIST = Export(
    "public.estimates",
    service.queries.list_estimates,
    (
        "Estimate",
        "Revision",
        "Title",
        "Status",
        "Customer",
        "Made on",
        "Valid until",
        "Currency",
        "Options",
        "Lowest option total",
        "Highest option total",
        "Approved total",
        "Technicians",
    ),
)


def _cells(row: dict[str, Any]) -> Iterable[Any]:
    return (
        f"EST-{row['number']}",
        row["revision"],
        row["title"],
        STATUSES[row["status"]],
        row["customer_name"],
        row["made_on"],
        row["valid_until"],
        row["currency"],
        row["options"],
        row["low"],
        row["high"],
        row["approved_total"],
        row["technicians"],
    )


@bp.get("/estimates/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_list() -> Response:
    form = list_filter()
    if not form.validate():
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("estimates.index", **args))  # the list says what is wrong
    chunks = build_rows(LIST, {**list_params(form), **sql.WHOLE_LIST}, "export_estimates", _cells)
    return csv_response(chunks, f"estimates-{date.today().isoformat()}.csv")
