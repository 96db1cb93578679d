"""Past invoices of the old system kept as history on the customer: number, dates, total, what
was paid and the balance, status, description. Never collected here: an unpaid balance comes in
through the open balances import (the preview says so beside each such invoice). Importing the
same file again changes nothing: an invoice is the one already imported with its number, else
with the same customer, day and total."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from app import sql
from app.audit import labels
from app.db import Connection
from app.imports import cells
from app.imports.csvfile import Record
from app.imports.kinds import named_customer, register
from app.imports.plan import Flag, Item, Kind, LeftOut, Plan, Target
from app.imports.references import CustomerIndex, name_key

queries = sql.load(__file__, "invoices.sql")
TABLE = "public.invoice_history"

TARGETS: dict[str, Target] = {
    **named_customer.TARGETS,
    "number": Target("Invoice number"),
    "issued_on": Target("Invoice date"),
    "due_on": Target("Due date"),
    "total": Target("Total"),
    "paid": Target("Amount paid"),
    "balance": Target("Balance"),
    "status": Target("Status"),
    "description": Target("Description", many=True),
}
SYNONYMS = {
    **named_customer.SYNONYMS,
    "number": ("invoice", "invoice number", "invoice no", "invoice id", "num", "invoice #"),
    "issued_on": ("date", "invoice date", "issued", "issued date", "issue date", "txn date"),
    "due_on": ("due date", "due", "due on"),
    "total": ("total", "amount", "invoice total", "total amount"),
    "paid": ("paid", "amount paid", "payments", "paid amount"),
    "balance": ("balance", "open balance", "balance due", "amount due", "outstanding"),
    "status": ("status", "invoice status", "payment status"),
    "description": ("description", "memo", "summary", "subject", "notes", "message"),
}
STATUS_WORDS = (
    ("void", ("void", "voided", "cancelled", "canceled", "deleted", "written off")),
    ("partly_paid", ("partial", "partially paid", "partly paid")),
    ("paid", ("paid", "closed", "paid in full")),
    ("unpaid", ("open", "unpaid", "overdue", "due", "sent", "past due", "pending")),
)
STATUS_LABELS = {
    "paid": "Paid",
    "partly_paid": "Partly paid",
    "unpaid": "Unpaid",
    "void": "Void",
    "other": "Other",
}
AMOUNTS = ("total", "paid", "balance")


def status_of(words: str, total: Decimal, paid: Decimal | None, balance: Decimal | None) -> str:
    """The old system's word (`Paid`, `Overdue`, `Voided`), else what the amounts say."""
    key = name_key(words)
    for status, cues in STATUS_WORDS:
        if key in cues:
            return status
    if balance is None:
        return "other"
    if balance <= 0:
        return "paid"
    return "unpaid" if paid is None or paid <= 0 or balance >= total else "partly_paid"


def _amounts(row: dict[str, str]) -> dict[str, Decimal | None] | str:
    found: dict[str, Decimal | None] = {}
    try:
        for name in AMOUNTS:
            found[name] = cells.money(row.get(name, ""))
    except cells.BadValue as bad:
        return str(bad)
    total, paid, balance = found["total"], found["paid"], found["balance"]
    if total is None:
        return "No total: an invoice needs its total."
    if balance is None and paid is not None:
        found["balance"] = total - paid
    if paid is None and balance is not None:
        found["paid"] = total - balance
    return found


def _flags(status: str, balance: Decimal | None) -> list[Flag]:
    if status == "void" or balance is None or balance <= 0:
        return []
    note = "Kept as history, not collected: open balances are imported by the Open balances import."
    return [Flag("balance", f"{balance:.2f}", note, "note")]


def read_row(record: Record, row: dict[str, str], index: CustomerIndex) -> Item | LeftOut:
    try:
        issued = cells.parse_date(row.get("issued_on", ""))
        due = cells.parse_date(row.get("due_on", ""))
    except cells.BadValue as bad:
        return named_customer.left_out(record, str(bad))
    if issued is None:
        return named_customer.left_out(record, "No invoice date.")
    amounts = _amounts(row)
    if isinstance(amounts, str):
        return named_customer.left_out(record, amounts)
    whose = named_customer.find(index, row, with_place=False)
    if isinstance(whose, str):
        return named_customer.left_out(record, whose)
    total, balance = amounts["total"] or Decimal(0), amounts["balance"]
    status = status_of(row.get("status", ""), total, amounts["paid"], balance)
    data: dict[str, Any] = {
        "customer_id": str(whose.customer_id),
        "number": row.get("number", "")[:100],
        "issued_on": issued.isoformat(),
        "due_on": due.isoformat() if due else None,
        **{name: None if value is None else str(value) for name, value in amounts.items()},
        "status": status,
        "description": row.get("description", "")[:5000],
    }
    shown = f"#{data['number']} · " if data["number"] else ""
    label = f"{whose.name} · {shown}{issued:%m/%d/%Y} · ${total:,.2f}"
    return Item("invoice", [record.line], data, label, flags=_flags(status, balance))


def _known(conn: Connection, tenant_id: UUID) -> dict[tuple[str, ...], dict[str, Any]]:
    known: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in conn.execute(queries.invoice_history_for_matching, {"tenant_id": tenant_id}):
        saved = {
            "customer_id": str(row["customer_id"]),
            "number": row["number"],
            "issued_on": row["issued_on"].isoformat(),
            "due_on": row["due_on"].isoformat() if row["due_on"] else None,
            **{name: None if row[name] is None else str(row[name]) for name in AMOUNTS},
            "status": row["status"],
            "description": row["description"],
            "id": row["id"],
        }
        known[_key(saved)] = saved
    return known


def _key(data: dict[str, Any]) -> tuple[str, ...]:
    if data["number"]:
        return ("number", data["number"])
    return (data["customer_id"], data["issued_on"], data["total"])


def plan(
    conn: Connection,
    tenant_id: UUID,
    records: list[Record],
    mapping: list[str],
    options: dict[str, Any],
) -> Plan:
    index = CustomerIndex.load(conn, tenant_id)
    known = _known(conn, tenant_id)
    result = Plan()
    rows = named_customer.first_of_each(
        records, mapping, result, partial(read_row, index=index), _key, "invoice"
    )
    for found in rows:
        saved = known.get(_key(found.data))
        if saved is not None:
            same = all(saved[name] == value for name, value in found.data.items())
            found.action, found.target_id = ("unchanged" if same else "update"), saved["id"]
        result.items.append(found)
    return result


apply = named_customer.writer(TABLE, queries.insert_invoice_history, queries.update_invoice_history)


labels.register_values("public.invoice_history.status", STATUS_LABELS)

KIND = register(
    Kind(
        key="invoices",
        label="Invoice history",
        item_kind="invoice",
        targets=TARGETS,
        naming=named_customer.NAMING,
        plan=plan,
        apply=apply,
        hint=(
            "Past invoices from your old system, kept on each customer's page for the record."
            " They are not collected here: bring what customers still owe with the Open"
            " balances import. Customers must be imported first."
        ),
        synonyms=SYNONYMS,
    )
)
