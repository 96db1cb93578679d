"""Planning and applying a file of one import kind as the import job does: as the company's
owner with the actor `system:import`, with a given mapping or the one guessed from the kind's
header words; and whole imports through the engine (preview, run, undo)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from app.auth.identity import claims_for
from app.db import Connection, transaction
from app.imports import csvfile, engine, fields
from app.imports.plan import Item, Kind, Plan, Written
from tests.factories import Factory, Tenant
from tests.imports.support import insert_import

FILES = Path(__file__).parent / "files"


def file_text(name: str) -> str:
    return (FILES / name).read_text()


def make_book(make: Factory, company: Tenant) -> dict[str, UUID]:
    """The customers the test files name, as if imported before them: Ann Lee with two
    properties, Bob Stone (found by email), Carl Moss and Dana Ruiz with one, and two Pat
    Twins."""
    t = company.id
    ann = make.customer(t, "Ann", "Lee")
    bob = make.customer(t, "Bob", "Stone", email="bob@example.com")
    for _ in range(2):
        make.property(t, make.customer(t, "Pat", "Twin"))
    return {
        "ann": make.property(t, ann, "12 Elm Street"),
        "ann_cabin": make.property(t, ann, "4 Lake Rd"),
        "bob": make.property(t, bob, "7 Oak Ave"),
        "carl": make.property(t, make.customer(t, "Carl", "Moss"), "3 Pine Ct"),
        "dana": make.property(t, make.customer(t, "Dana", "Ruiz"), "9 Birch Ln"),
    }


def _claims(company: Tenant) -> dict[str, Any]:
    return claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}


def planned(
    pool: ConnectionPool,
    company: Tenant,
    kind: Kind,
    text: str,
    mapping: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> Plan:
    """The plan of `text` with this mapping (else the guessed one) and options."""
    headers, records = csvfile.read(text, ",")
    mapping = mapping or fields.guess_mapping(headers, kind.targets, kind.synonyms)
    with transaction(pool, _claims(company)) as conn:
        return kind.plan(conn, company.id, records, mapping, options or {})


def plan_file(pool: ConnectionPool, company: Tenant, kind: Kind, name: str) -> Plan:
    return planned(pool, company, kind, file_text(name))


def applied(pool: ConnectionPool, company: Tenant, kind: Kind, plan: Plan) -> list[Written]:
    with transaction(pool, _claims(company)) as conn:
        return kind.apply(conn, company.id, plan.items)


def by_line(found: Plan) -> dict[int, Item]:
    """Each item under the first line of the file it came from."""
    return {item.lines[0]: item for item in found.items}


def flag_notes(item: Item) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for flag in item.flags:
        notes.setdefault(flag.field, []).append(f"{flag.kind}: {flag.note}")
    return notes


def left_out(found: Plan) -> dict[int, str]:
    return {row.line: row.reason for row in found.left_out}


def actions(found: Plan) -> list[str]:
    return sorted(item.action for item in found.items)


def imported(
    pool: ConnectionPool,
    admin: Connection,
    company: Tenant,
    kind: Kind,
    text: str,
    mapping: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> UUID:
    """An import of `text` through the engine, stored as an upload of this kind, previewed with
    this mapping (else the guessed one), then run as the worker runs it."""
    import_id = insert_import(admin, company.id, text, kind.key, "uploaded")
    with transaction(pool, _claims(company)) as conn:
        assert engine.save_preview(conn, company.id, import_id, mapping, options or {})
    admin.execute(
        "update public.customer_imports set status = 'running', attempts = 1,"
        " confirmed_by = %(member)s where id = %(id)s",
        {"id": import_id, "member": company.owner.account_id},
    )
    with transaction(pool, _claims(company)) as conn:
        engine.run(conn, company.id, import_id, 1)
    return import_id


def undone(pool: ConnectionPool, company: Tenant, import_id: UUID) -> str | None:
    """Why the import was not undone, or None when it was."""
    try:
        with transaction(pool, _claims(company)) as conn:
            engine.undo(conn, company.id, import_id)
    except engine.UndoRefused as refused:
        return str(refused)
    return None


def import_and_undo(
    admin: Connection,
    pool: ConnectionPool,
    company: Tenant,
    kind: Kind,
    name: str,
    between: Callable[[], None],
) -> str | None:
    """The file imported through the engine; `between` looks at the records after the run.
    Returns the reason undo gives when it refuses."""
    import_id = imported(pool, admin, company, kind, file_text(name))
    between()
    return undone(pool, company, import_id)
