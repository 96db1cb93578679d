"""Open balances of the old system, brought forward as real invoices: each a sent invoice
issued on the as-of date, due on receipt, with one line "Balance brought forward from <the old
system> (ref …)", so that the office collects it as any other (the invoice list, aging, the
portal, payment links). Nothing is sent to the customer. A balance of zero or less is left
out; a balance already brought forward (same customer, reference and amount) is unchanged, and
one brought forward with another amount is left out rather than collected twice."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from app import sql
from app.db import Connection
from app.imports import cells
from app.imports.csvfile import Record
from app.imports.kinds import named_customer, register
from app.imports.plan import Item, Kind, LeftOut, Plan, Target, Written
from app.imports.references import CustomerIndex

queries = sql.load(__file__, "balances.sql")
PREFIX = "Balance brought forward"
_REF = re.compile(r"\(ref (.+)\)$")

TARGETS: dict[str, Target] = {
    **named_customer.TARGETS,
    **named_customer.PLACE_TARGETS,
    "amount": Target("Open balance"),
    "as_of": Target("As-of date"),
    "reference": Target("Reference (old invoice or account number)"),
}
SYNONYMS = {
    **named_customer.SYNONYMS,
    "amount": ("balance", "open balance", "amount due", "balance due", "outstanding", "owed"),
    "as_of": ("as of", "date", "balance date", "as of date", "statement date"),
    "reference": ("reference", "ref", "invoice", "invoice number", "invoice no", "num"),
}


def description(system: str, reference: str) -> str:
    """The invoice's one line: `Balance brought forward from Jobber (ref 1042)`."""
    text = f"{PREFIX} from {system}" if system else PREFIX
    return f"{text} (ref {reference})" if reference else text


def _brought_forward(conn: Connection, tenant_id: UUID) -> dict[tuple[str, str], dict[str, Any]]:
    """Balances already brought forward, by customer and reference (or as-of day and amount
    when they had no reference)."""
    found = named_customer.saved_by(conn, tenant_id, queries.balances_brought_forward, _saved_key)
    return {key: rows[-1] for key, rows in found.items()}


def _saved_key(row: dict[str, Any]) -> tuple[str, str]:
    ref = _REF.search(row["description"])
    return (str(row["customer_id"]), ref[1] if ref else f"{row['issued_on']} {row['total']:.2f}")


def read_row(
    record: Record, row: dict[str, str], index: CustomerIndex, as_of: date, system: str
) -> Item | LeftOut:
    try:
        amount = cells.money(row.get("amount", ""))
        day = cells.parse_date(row.get("as_of", "")) or as_of
    except cells.BadValue as bad:
        return named_customer.left_out(record, str(bad))
    if amount is None or amount <= 0:
        shown = "no balance" if amount is None else f"a balance of {amount}"
        return named_customer.left_out(record, f"Nothing to collect: {shown}.")
    whose = named_customer.find(index, row, with_place=True)
    if isinstance(whose, str):
        return named_customer.left_out(record, whose)
    reference = row.get("reference", "")[:100]
    data = {
        "customer_id": str(whose.customer_id),
        "property_id": str(whose.property_id) if whose.property_id else None,
        "issued_on": day.isoformat(),
        "amount": str(amount),
        "reference": reference,
        "description": description(system, reference),
    }
    label = f"{whose.name} · ${amount:,.2f} · as of {day:%m/%d/%Y}"
    return Item("balance", [record.line], data, label, flags=list(whose.flags))


def _key(data: dict[str, Any]) -> tuple[str, str]:
    return (data["customer_id"], data["reference"] or f"{data['issued_on']} {data['amount']}")


def _as_of(option: object) -> date:
    """The office's as-of date (an ISO date) for rows that give none; else today."""
    try:
        return date.fromisoformat(str(option)) if option else date.today()
    except ValueError:
        return date.today()


def plan(
    conn: Connection,
    tenant_id: UUID,
    records: list[Record],
    mapping: list[str],
    options: dict[str, Any],
) -> Plan:
    """`options`: `as_of` (ISO date) for rows with no date, `system` (the old system's name)."""
    index = CustomerIndex.load(conn, tenant_id)
    earlier = _brought_forward(conn, tenant_id)
    as_of = _as_of(options.get("as_of"))
    system = str(options.get("system", ""))[:60]
    result = Plan()
    lines = {record.line: record.cells for record in records}
    read = partial(read_row, index=index, as_of=as_of, system=system)
    for found in named_customer.first_of_each(records, mapping, result, read, _key, "balance"):
        saved = earlier.get(_key(found.data))
        if saved is not None and saved["total"] != Decimal(found.data["amount"]):
            reason = (
                f"INV-{saved['number']} already brings forward ${saved['total']:,.2f} for this"
                " reference: void it first to bring forward another amount."
            )
            result.left_out.append(LeftOut(found.lines[0], lines[found.lines[0]], reason))
            continue
        if saved is not None:
            found.action, found.target_id = "unchanged", saved["id"]
        result.items.append(found)
    return result


def apply(conn: Connection, tenant_id: UUID, items: list[Item]) -> list[Written]:
    """Drafts, their lines, then all sent: three statements for the batch."""
    new = [{**item.data, "id": str(uuid.uuid4())} for item in items if item.action == "new"]
    if not new:
        return []
    rows = [{**data, "n": n} for n, data in enumerate(new)]
    params = {"tenant_id": tenant_id, "rows": Jsonb(rows)}
    invoices = [r["id"] for r in conn.execute(queries.insert_balance_invoices, params)]
    lines = [r["id"] for r in conn.execute(queries.insert_balance_lines, params)]
    conn.execute(queries.mark_balances_sent, params)
    return [Written("public.invoices", i, "created") for i in invoices] + [
        Written("public.invoice_lines", i, "created") for i in lines
    ]


KIND = register(
    Kind(
        key="balances",
        label="Open balances",
        item_kind="balance",
        targets=TARGETS,
        naming=named_customer.NAMING,
        plan=plan,
        apply=apply,
        hint=(
            "What each customer still owes in your old system. Each balance becomes a sent"
            " invoice, due on receipt, that you collect as any other; nothing is sent to the"
            " customer. Customers must be imported first."
        ),
        synonyms=SYNONYMS,
    )
)
