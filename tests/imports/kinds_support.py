"""Planning and applying a file of one import kind as the import job does: as the company's
owner with the actor `system:import`, the mapping guessed from the kind's header words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from app.auth.identity import claims_for
from app.db import Connection, transaction
from app.imports import csvfile, engine, fields
from app.imports.plan import Item, Kind, Plan, Written
from tests.factories import Factory, Tenant

FILES = Path(__file__).parent / "files"


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


def plan_text(pool: ConnectionPool, company: Tenant, kind: Kind, text: str) -> Plan:
    headers, records = csvfile.read(text, ",")
    claims = claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}
    with transaction(pool, claims) as conn:
        mapping = fields.guess_mapping(headers, kind.targets, kind.synonyms)
        return kind.plan(conn, company.id, records, mapping, {})


def plan_file(pool: ConnectionPool, company: Tenant, kind: Kind, name: str) -> Plan:
    return plan_text(pool, company, kind, (FILES / name).read_text())


def apply(pool: ConnectionPool, company: Tenant, kind: Kind, items: list[Item]) -> list[Written]:
    claims = claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}
    with transaction(pool, claims) as conn:
        return kind.apply(conn, company.id, items)


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


def import_and_undo(
    admin: Connection,
    pool: ConnectionPool,
    company: Tenant,
    kind: Kind,
    name: str,
    between: Callable[[], None],
) -> str | None:
    """The file stored as an upload of this kind, previewed, run and undone by the import
    engine as the member with the import actor; `between` looks at the records after the run.
    Returns the reason undo gives when it refuses."""
    source = (FILES / name).read_text()
    headers, records = csvfile.read(source, ",")
    row = admin.execute(
        "insert into public.customer_imports (tenant_id, kind, status, file_name, source_text,"
        " encoding, delimiter, headers, mapping, total_rows) values (%(t)s, %(kind)s,"
        " 'uploaded', %(name)s, %(text)s, 'utf-8', ',', %(headers)s, %(mapping)s, %(total)s)"
        " returning id",
        {
            "t": company.id,
            "kind": kind.key,
            "name": name,
            "text": source,
            "headers": Jsonb(headers),
            "mapping": Jsonb(fields.guess_mapping(headers, kind.targets, kind.synonyms)),
            "total": len(records),
        },
    ).fetchone()
    assert row is not None
    claims = claims_for(company.owner.account_id, company.id) | {"actor": "system:import"}
    with transaction(pool, claims) as conn:
        assert engine.save_preview(conn, company.id, row["id"])
    admin.execute(
        "update public.customer_imports set status = 'running', attempts = 1 where id = %(id)s",
        {"id": row["id"]},
    )
    with transaction(pool, claims) as conn:
        engine.run(conn, company.id, row["id"], 1)
    between()
    with transaction(pool, claims) as conn:
        return engine.undo(conn, company.id, row["id"])
