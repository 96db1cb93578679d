"""A homeowner's copy of their data (P-10, access): everything linked to one customer across
every company table, found through the catalog, so a table added later is in the copy the
moment its foreign keys are: the customer's row, the rows that reference it, the rows that
reference those (transitively), rows that name the customer without a key, and rows that carry
one of their addresses without naming them (a text from their number, a sign-in code to their
email). Read as the office member, under the company's policies; secrets (hashes, sealed
values, file keys) are left out. One zip: data.json (typed) and one CSV per table."""

from __future__ import annotations

import io
import json
import zipfile
from collections import deque
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql as psql

from app import catalog, db, sql
from app.audit.access import record_access
from app.csv_export import cell, csv_text

queries = sql.load(__file__, "access.sql")
Rows = dict[str, list[dict[str, Any]]]

# Rows that carry a person's address without naming them: the columns that hold it.
BY_ADDRESS = {
    "public.messages": ("to_address", "from_address"),
    "public.conversations": ("phone",),
    "public.sms_opt_outs": ("phone",),
    "outbox.messages": ("to_address",),
}
# The company's own row is not the person's.
LEFT_OUT = {"public.tenants"}


def _identifier(table: str) -> psql.Identifier:
    schema, name = table.split(".")
    return psql.Identifier(schema, name)


def _read(conn: db.Connection, statement: psql.Composed, params: dict[str, Any]) -> list[Any]:
    """Rows the member may read; none from a table their role may not read at all."""
    try:
        with conn.transaction():
            return [r["row"] for r in conn.execute(statement, params).fetchall()]
    except psycopg.errors.InsufficientPrivilege:
        return []


def _referencing(conn: db.Connection, ref: dict[str, Any], rows: list[Any], tenant: UUID) -> list:
    """The rows of `ref`'s table whose key columns hold the key of one of `rows`."""
    pairs = [
        (c, t) for c, t in zip(ref["columns"], ref["referenced"], strict=True) if c != "tenant_id"
    ]
    keys = {tuple(row.get(t) for _c, t in pairs) for row in rows}
    keys = {k for k in keys if None not in k}
    if not pairs or not keys:
        return []
    statement = psql.SQL(queries.rows_with_keys).format(
        table=_identifier(ref["source"]),
        columns=psql.SQL(", ").join(
            psql.SQL("t.{}::text").format(psql.Identifier(c)) for c, _t in pairs
        ),
        keys=psql.SQL(", ").join(
            psql.Placeholder(f"k{i}") + psql.SQL("::text[]") for i in range(len(pairs))
        ),
    )
    params: dict[str, Any] = {"tenant": tenant}
    for i in range(len(pairs)):
        params[f"k{i}"] = [str(k[i]) for k in keys]
    return _read(conn, statement, params)


def _matching(
    conn: db.Connection, table: str, column: str, values: list[str], tenant: UUID
) -> list:
    """The rows of `table` whose `column` (compared in lower case) is one of `values`."""
    if not values:
        return []
    statement = psql.SQL(queries.rows_with_value).format(
        table=_identifier(table), column=psql.Identifier(column)
    )
    return _read(conn, statement, {"tenant": tenant, "values": values})


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def customer_data(tenant_id: UUID, customer_id: UUID) -> Rows:
    """Every row linked to the customer, by table (only tables that hold some), secrets out."""
    conn = db.connection()
    tables = [t for t in catalog.tenant_tables(conn) if t not in LEFT_OUT]
    refs = catalog.company_foreign_keys(conn, tables)
    shown = {
        r["table_name"]: r["columns"]
        for r in conn.execute(queries.exported_columns, {"tables": tables}).fetchall()
    }
    found: dict[str, dict[str, Any]] = {}
    pending: deque[tuple[str, list[Any]]] = deque()

    def add(table: str, rows: list[Any]) -> None:
        new = [r for r in rows if _key(r) not in found.setdefault(table, {})]
        for row in new:
            found[table][_key(row)] = row
        if new:
            pending.append((table, new))

    add(
        "public.customers", _matching(conn, "public.customers", "id", [str(customer_id)], tenant_id)
    )
    for table in tables:  # rows that name the customer without a key to them
        if table != "public.customers" and "customer_id" in shown.get(table, []):
            add(table, _matching(conn, table, "customer_id", [str(customer_id)], tenant_id))
    addresses = [
        r["address"]
        for r in conn.execute(
            queries.customer_addresses, {"tenant_id": tenant_id, "customer_id": customer_id}
        ).fetchall()
    ]
    for table, columns in BY_ADDRESS.items():
        for column in columns:
            rows = _matching(conn, table, column, addresses, tenant_id)
            # An address they share with another customer (a household's number) is not a
            # way into that customer's messages.
            add(table, [r for r in rows if r.get("customer_id") in (None, str(customer_id))])
    while pending:
        table, rows = pending.popleft()
        for ref in (r for r in refs if r["target"] == table):
            add(ref["source"], _referencing(conn, ref, rows, tenant_id))
    return {
        table: [{c: row.get(c) for c in shown.get(table, [])} for row in rows.values()]
        for table, rows in sorted(found.items())
        if rows
    }


def data_zip(tenant_id: UUID, customer_id: UUID) -> bytes:
    """The copy as a zip (data.json, and a CSV per table); the read is recorded (P-07)."""
    data = customer_data(tenant_id, customer_id)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps({"customer_id": str(customer_id), "tables": data}, indent=2, default=str),
        )
        for table, rows in data.items():
            header = list(rows[0])
            lines = [header, *[[cell(_plain(row[c])) for c in header] for row in rows]]
            archive.writestr(f"{table}.csv", "\ufeff" + csv_text(lines))
    record_access("public.customers", customer_id, view="access request copy", tables=sorted(data))
    return out.getvalue()


def _plain(value: Any) -> Any:
    """A JSON value as a spreadsheet cell: lists and objects as JSON text."""
    return json.dumps(value) if isinstance(value, (dict, list)) else value
