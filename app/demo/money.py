"""The demo company's money: estimates in every status (some with good / better / best
options, one revised) and invoices in every status with offline payments, issued over the last
hundred days so that ageing has something to show. Lines are copied from the demo price book as
`pricebook.line_from_item` copies them. Written by the database owner like the rest of the demo
data, each status change a legal one: options and lines while a draft, then the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from app import money, sql
from app.db import Connection

queries = sql.load(__file__)

Lines = list[tuple[str, str]]  # (price book code, quantity)
# An option: (name, description, lines).
Option = tuple[str, str, Lines]

FURNACE = [
    ("Repair", "Replace the failed inducer motor and keep the furnace running.",
     [("DIAG", "1"), ("REP-IND", "1")]),
    ("Replace", "A 96% two-stage furnace: lower gas bills, quieter, 10-year parts warranty.",
     [("SYS-F96", "1")]),
    ("Replace and breathe better", "The 96% furnace with a humidifier and a UV purifier.",
     [("SYS-F96", "1"), ("INST-HUM", "1"), ("INST-UV", "1")]),
]  # fmt: skip
COOLING = [
    ("Recharge", "Find the leak and recharge the old unit for another season.",
     [("DIAG-LEAK", "1"), ("REP-RECHARGE", "1"), ("R410A", "4")]),
    ("New system", "A matched 3-ton air conditioner, furnace and coil.",
     [("SYS-AC3-F80", "1")]),
    ("New system with clean air", "The new system with a UV purifier and a media filter.",
     [("SYS-AC3-F80", "1"), ("INST-UV", "1"), ("FLT-16254", "1")]),
]  # fmt: skip
HUMIDIFIER: list[Option] = [
    ("Humidifier", "", [("INST-HUM", "1"), ("LAB-STD", "1")]),
]
THERMOSTAT: list[Option] = [("Smart thermostat", "", [("INST-TSTAT", "1")])]
PURIFIER: list[Option] = [("UV air purifier", "", [("INST-UV", "1"), ("FLT-16254", "1")])]
COMFORT_REV2: list[Option] = [
    ("Humidifier and thermostat", "As asked: the thermostat now runs the humidifier too.",
     [("INST-HUM", "1"), ("INST-TSTAT", "1"), ("LAB-STD", "1")]),
]  # fmt: skip

# Estimates: (title, options, status, days since made, approved option's position or decline
# reason). The revised one's second revision follows it (REVISION).
ESTIMATES: list[tuple[str, list[Option], str, int, int | str | None]] = [
    ("Smart thermostat", THERMOSTAT, "draft", 1, None),
    ("Replace the air conditioner", COOLING, "sent", 3, None),
    ("Whole-house humidifier", HUMIDIFIER, "viewed", 6, None),
    ("Furnace repair or replacement", FURNACE, "approved", 9, 1),
    ("Air conditioning options", COOLING, "declined", 14,
     "We are going to wait until spring and decide then."),
    ("UV air purifier", PURIFIER, "expired", 50, None),
    ("Humidifier", HUMIDIFIER, "revised", 12, None),
]  # fmt: skip
REVISION = ("Humidifier and thermostat", COMFORT_REV2, "sent", 8)
VALID_DAYS = 30

# Recent invoices, for the jobs of completed visits in order: (status, terms, lines, payments
# as (amount: "all" or "half", method, reference)). Each is issued on its visit's day.
Payment = tuple[str, str, str]
RECENT: list[tuple[str, str, Lines, list[Payment]]] = [
    ("paid", "due_on_receipt", [("DIAG", "1"), ("REP-FS", "1")],
     [("all", "card_terminal", "Receipt 004417")]),
    ("paid", "due_on_receipt", [("TUNE-F", "1"), ("FLT-16251", "1")], [("all", "cash", "")]),
    ("partly_paid", "net_15", [("DIAG", "1"), ("REP-IGN", "1"), ("HSI-SN", "1")],
     [("half", "cheque", "Cheque 2214")]),
    ("void", "due_on_receipt", [("TUNE-BLR", "1")], []),
    ("sent", "net_15", [("DIAG", "1"), ("REP-DRAIN", "1")], []),
    ("sent", "net_30", [("TUNE-HP", "1"), ("LAB-STD", "1.5")], []),
    ("draft", "due_on_receipt", [("DIAG", "1"), ("REP-CAP", "1"), ("CAP-455", "1")], []),
    ("draft", "net_15", [("MAINT-CO", "1"), ("TUNE-F", "1")], []),
]  # fmt: skip
VOID_REASON = "Billed twice for the same visit; see the next invoice."

# Older invoices, for work before the demo week (no job of its own in the demo): (days since
# issued, the status its payments give it, terms, note, lines, payments as (amount, method,
# reference, days ago)).
OldPayment = tuple[str, str, str, int]
OLDER: list[tuple[int, str, str, str, Lines, list[OldPayment]]] = [
    (100, "sent", "net_30", "Boiler tune-up and relief valve.",
     [("TUNE-BLR", "1"), ("LAB-STD", "1")], []),
    (100, "paid", "net_30", "Spring AC tune-up.",
     [("TUNE-AC", "1"), ("REP-CONT", "1")], [("all", "bank_transfer", "ACH 7731-0412", 45)]),
    (70, "partly_paid", "net_30", "Condenser fan motor.",
     [("DIAG", "1"), ("REP-CFM", "1")], [("half", "cheque", "Cheque 1187", 38)]),
    (70, "paid", "net_15", "Surge protector and capacitor.",
     [("REP-SURGE", "1"), ("REP-CAP", "1")], [("all", "card_terminal", "Receipt 003982", 52)]),
    (40, "sent", "net_15", "Refrigerant leak search.", [("DIAG-LEAK", "1")], []),
    (40, "paid", "net_30", "Water heater flush.",
     [("MAINT-WH", "1")], [("all", "cash", "", 33)]),
    (10, "partly_paid", "net_30", "Whole-house humidifier.",
     [("INST-HUM", "1")], [("half", "bank_transfer", "Transfer ref. HUM-5521", 4)]),
    (10, "sent", "net_15", "Ductless head cleaning, two heads.", [("TUNE-MS", "2")], []),
]  # fmt: skip


@dataclass(frozen=True)
class Book:
    """The demo book's items by code, and the homes whose customers pay member prices."""

    items: dict[str, Any]
    member_homes: set[UUID]

    def lines(self, property_id: UUID, lines: Lines) -> list[dict[str, Any]]:
        member = property_id in self.member_homes
        return [line(self.items[code], quantity, member) for code, quantity in lines]


@dataclass(frozen=True)
class Counts:
    estimates: int
    invoices: int
    payments: int


def add(conn: Connection, tenant_id: UUID, now: datetime | None = None) -> Counts:
    """Write the demo estimates and invoices in the open transaction (the caller's claims
    name the actor)."""
    now = now or _value(conn, queries.database_now, "now")
    zone = ZoneInfo(_value(conn, queries.company_time_zone, "time_zone", (tenant_id,)))
    items = conn.execute(queries.demo_line_items, {"t": tenant_id}).fetchall()
    members = conn.execute(queries.demo_member_homes, {"t": tenant_id}).fetchall()
    book = Book({row["code"]: row for row in items}, {row["id"] for row in members})
    estimates = _estimates(conn, tenant_id, book, now)
    invoices, payments = _invoices(conn, tenant_id, book, now, zone)
    return Counts(estimates, invoices, payments)


def line(item: dict[str, Any], quantity: str, member: bool) -> dict[str, Any]:
    """A document's line copied from a book item, as `pricebook.line_from_item` copies it:
    what it says and costs now, the member price for a customer on a maintenance plan."""
    price = item["price"]
    if member:
        price = money.member_price(
            price,
            member_price=item["member_price"],
            member_discount_percent=item["member_discount_percent"],
        )
    description = item["name"] + (f"\n{item['description']}" if item["description"] else "")
    return {
        "price_item_id": item["id"],
        "kind": item["kind"],
        "description": description,
        "quantity": Decimal(quantity),
        "unit": item["unit"],
        "unit_price": price,
        "discount_percent": Decimal("0"),
        "taxable": item["taxable"],
    }


def _value(conn: Connection, statement: str, column: str, params: Any = None) -> Any:
    row = conn.execute(statement, params).fetchone()
    assert row is not None
    return row[column]


def _estimates(conn: Connection, tenant_id: UUID, book: Book, now: datetime) -> int:
    places = conn.execute(queries.estimate_places, {"t": tenant_id, "n": len(ESTIMATES)}).fetchall()
    made = 0
    for (title, options, status, days, answer), place in zip(ESTIMATES, places, strict=False):
        at = now - timedelta(days=days)
        estimate = _estimate(conn, tenant_id, book, place, title, options, at, None)
        made += 1
        if status == "revised":
            _move(conn, tenant_id, estimate, "sent", None, at)
            conn.execute(queries.revise_demo_estimate, {"t": tenant_id, "id": estimate["id"]})
            title, options, status, days = REVISION
            at = now - timedelta(days=days)
            estimate = _estimate(conn, tenant_id, book, place, title, options, at, estimate)
            made += 1
        _move(conn, tenant_id, estimate, status, answer, at)
    return made


def _estimate(
    conn: Connection,
    tenant_id: UUID,
    book: Book,
    place: dict[str, Any],
    title: str,
    options: list[Option],
    at: datetime,
    revises: dict[str, Any] | None,
) -> dict[str, Any]:
    """A draft with its tax rates, options and lines; its id and its options' ids."""
    params = {
        "t": tenant_id,
        "property": place["property_id"],
        "job": place["job_id"],
        "revises": revises["id"] if revises else None,
        "title": title,
        "note": "Prices include parts, labour and haul-away unless a line says otherwise.",
        "valid_until": at.date() + timedelta(days=VALID_DAYS),
        "at": at,
    }
    estimate_id = _value(conn, queries.insert_demo_estimate, "id", params)
    scope = {"t": tenant_id, "estimate": estimate_id, "at": at}
    conn.execute(queries.copy_demo_estimate_tax_rates, scope)
    option_ids = []
    for position, (name, description, lines) in enumerate(options):
        option = {**scope, "position": position, "name": name, "description": description}
        option_id = _value(conn, queries.insert_demo_option, "id", option)
        option_ids.append(option_id)
        for at_line, values in enumerate(book.lines(place["property_id"], lines)):
            conn.execute(
                queries.insert_demo_estimate_line,
                {**scope, "option": option_id, "position": at_line, **values},
            )
    return {"id": estimate_id, "options": option_ids}


def _move(
    conn: Connection,
    tenant_id: UUID,
    estimate: dict[str, Any],
    status: str,
    answer: int | str | None,
    made_at: datetime,
) -> None:
    """Move a draft to its status, stamped as the homeowner's answers would stamp it: sent an
    hour after it was made, viewed the next day, answered two days after that."""
    if status == "draft":
        return
    sent = made_at + timedelta(hours=1)
    viewed = made_at + timedelta(days=1) if status not in ("sent", "expired") else None
    answered = made_at + timedelta(days=3)
    params = {
        "t": tenant_id,
        "id": estimate["id"],
        "status": status,
        "sent_at": sent,
        "viewed_at": viewed,
        "option": None,
        "approved_at": None,
        "declined_at": None,
        "reason": "",
        "at": answered if status in ("approved", "declined") else viewed or sent,
    }
    if status == "approved":
        assert isinstance(answer, int)
        params.update(option=estimate["options"][answer], approved_at=answered)
    elif status == "declined":
        assert isinstance(answer, str)
        params.update(declined_at=answered, reason=answer)
    conn.execute(queries.move_demo_estimate, params)


def _invoices(
    conn: Connection, tenant_id: UUID, book: Book, now: datetime, zone: ZoneInfo
) -> tuple[int, int]:
    today = now.astimezone(zone).date()
    visits = conn.execute(queries.completed_visit_jobs, {"t": tenant_id}).fetchall()
    homes = conn.execute(queries.billed_homes, {"t": tenant_id, "n": len(OLDER)}).fetchall()
    made = payments = 0
    for (status, terms, lines, paid), visit in zip(RECENT, visits, strict=False):
        done = visit["completed_at"]
        day = done.astimezone(zone).date()
        invoice_id = _invoice(
            conn,
            tenant_id,
            book,
            {"property": visit["property_id"], "job": visit["job_id"], "visit": visit["visit_id"]},
            {"terms": terms, "issued_on": day, "note": "", "at": done},
            lines,
        )
        made += 1
        if status == "draft":
            continue
        _send(conn, tenant_id, invoice_id, done + timedelta(minutes=15))
        if status == "void":
            conn.execute(
                queries.void_demo_invoice,
                {"t": tenant_id, "id": invoice_id, "at": done + timedelta(hours=2),
                 "reason": VOID_REASON},
            )  # fmt: skip
        for amount, method, reference in paid:
            _pay(conn, tenant_id, invoice_id, amount, method, reference, day, now)
            payments += 1
    for (days, _status, terms, note, lines, taken), home in zip(OLDER, homes, strict=False):
        issued = today - timedelta(days=days)
        at = now - timedelta(days=days)
        invoice_id = _invoice(
            conn,
            tenant_id,
            book,
            {"property": home["property_id"], "job": None, "visit": None},
            {"terms": terms, "issued_on": issued, "note": note, "at": at},
            lines,
        )
        made += 1
        _send(conn, tenant_id, invoice_id, at + timedelta(hours=1))
        for amount, method, reference, ago in taken:
            received = today - timedelta(days=ago)
            _pay(conn, tenant_id, invoice_id, amount, method, reference, received, now)
            payments += 1
    return made, payments


def _invoice(
    conn: Connection,
    tenant_id: UUID,
    book: Book,
    where: dict[str, Any],
    values: dict[str, Any],
    lines: Lines,
) -> UUID:
    """A draft billed to the place's customer, with the company's tax rates and its lines."""
    invoice_id: UUID = _value(
        conn, queries.insert_demo_invoice, "id", {"t": tenant_id, **where, **values}
    )
    scope = {"t": tenant_id, "invoice": invoice_id, "at": values["at"]}
    conn.execute(queries.copy_demo_invoice_tax_rates, scope)
    for position, values in enumerate(book.lines(where["property"], lines)):
        conn.execute(queries.insert_demo_invoice_line, {**scope, "position": position, **values})
    return invoice_id


def _send(conn: Connection, tenant_id: UUID, invoice_id: UUID, at: datetime) -> None:
    conn.execute(queries.send_demo_invoice, {"t": tenant_id, "id": invoice_id, "at": at})


def _pay(
    conn: Connection,
    tenant_id: UUID,
    invoice_id: UUID,
    amount: str,
    method: str,
    reference: str,
    received_on: date,
    now: datetime,
) -> None:
    """A payment of the whole balance or about half of it; the invoice's status follows."""
    totals = conn.execute(
        queries.demo_invoice_balance, {"t": tenant_id, "id": invoice_id}
    ).fetchone()
    assert totals is not None
    paid = totals["balance"] if amount == "all" else money.to_cents(totals["total"] / 2)
    conn.execute(
        queries.insert_demo_payment,
        {"t": tenant_id, "invoice": invoice_id, "amount": paid, "method": method,
         "reference": reference, "received_on": received_on, "at": now},
    )  # fmt: skip
