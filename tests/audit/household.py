"""A homeowner with everything a company keeps about them, and a look over every table of the
database for what must be gone once they are erased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import Flask
from psycopg import sql

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.imports.support import import_id_of, upload

CSV = (
    "First Name,Last Name,Email,Phone,Street,City,State,Zip\n"
    "Philippa,Quillfeather,philippa.quillfeather@example.com,(312) 555-0147,"
    "1428 Wisteria Lane,Springfield,IL,62701\n"
    "Bartholomew,Nettlecombe,bart.nettlecombe@example.com,(312) 555-0199,"
    "77 Juniper Court,Springfield,IL,62702\n"
)
# What must be nowhere once Philippa is erased (lower case; her phone in every form it took).
ERASED = (
    "philippa",
    "quillfeather",
    "3125550147",
    "555-0147",
    "3125550148",
    "wisteria",
)
NEIGHBOUR = ("Nettlecombe", "bart.nettlecombe@example.com")


@dataclass(frozen=True)
class Household:
    customer: UUID
    neighbour: UUID
    place: UUID
    visit: UUID
    visit_note: UUID


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app: Flask, email: str) -> Client:
    client: Client = app.test_client()  # type: ignore[assignment]
    client.sign_in(email)
    return client


def customer_id(admin: Connection, email: str) -> UUID:
    row = admin.execute("select id from public.customers where email = %s", [email]).fetchone()
    assert row is not None, email
    return UUID(str(row["id"]))


def imported(owner: Client, admin: Connection) -> tuple[UUID, UUID]:
    """Philippa and her neighbour, imported from a CSV as the office does."""
    import_id = import_id_of(upload(owner, CSV.encode()))
    assert owner.submit(f"/customers/import/{import_id}/mapping").status_code == 302
    assert owner.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    return (
        customer_id(admin, "philippa.quillfeather@example.com"),
        customer_id(admin, "bart.nettlecombe@example.com"),
    )


def complete(admin: Connection, visit: UUID, notes: str, signed_by: str) -> None:
    for status in ("en_route", "on_site"):
        admin.execute("update public.visits set status = %s where id = %s", [status, visit])
    admin.execute(
        "update public.visits set status = 'completed', completion_notes = %s, signed_by = %s"
        " where id = %s",
        [notes, signed_by, visit],
    )


def next_wednesday_at_ten(admin: Connection, tenant_id: UUID) -> datetime:
    """Inside the usual working hours (Monday to Friday, 8 to 5) whenever the test runs."""
    row = admin.execute("select time_zone from public.tenants where id = %s", [tenant_id])
    zone = ZoneInfo(str(row.fetchone()["time_zone"]))  # type: ignore[index]
    today = datetime.now(zone).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    return datetime.combine(wednesday, time(10), tzinfo=zone)


def household(owner: Client, admin: Connection, make: Factory, tenant: Tenant) -> Household:
    """Philippa with contacts, notes, a property with a furnace, a job, a completed and signed
    visit with a note; some of it changed and some deleted since."""
    philippa, neighbour = imported(owner, admin)
    t = tenant.id
    place = admin.execute("select id from public.properties where customer_id = %s", [philippa])
    place_id = UUID(str(place.fetchone()["id"]))  # type: ignore[index]
    contact = make.contact(t, philippa, "Cornelius Quillfeather")
    admin.execute(
        "update public.customer_contacts set email = 'corny@quillfeather.example',"
        " phone = '+13125550148', title = 'Quillfeather household manager' where id = %s",
        [contact],
    )
    make.note(t, philippa, "Philippa Quillfeather prefers mornings.")
    gone = make.note(t, philippa, "Philippa's dog bites; call 312-555-0147 first.")
    make.note(t, neighbour, "Nettlecombe pays by check.")
    furnace = make.equipment(t, place_id)
    admin.execute("update public.equipment set serial = 'QUILL-1428' where id = %s", [furnace])
    job = make.job(
        t, place_id, summary="Quillfeather furnace will not light", equipment_ids=(furnace,)
    )
    tech = make.member(t, "technician")
    visit = make.visit(t, job, next_wednesday_at_ten(admin, t), technicians=(tech.account_id,))
    visit_note = admin.execute(
        "insert into public.visit_notes (tenant_id, visit_id, body) values (%s, %s,"
        " 'Philippa Quillfeather showed me the basement.') returning id",
        [t, visit],
    ).fetchone()["id"]  # type: ignore[index]
    admin.execute(
        "insert into public.visit_files (tenant_id, visit_id, kind, storage_key, content_type,"
        " byte_size) values (%s, %s, 'signature', %s, 'image/png', 100)",
        [t, visit, f"{t}/signatures/{visit}.png"],
    )
    complete(admin, visit, "Relit for Philippa Quillfeather at 1428 Wisteria Lane.", "Philippa Q.")
    admin.execute(
        "update public.customers set phone = '+13125550148', notes = 'Quillfeather, gate at back',"
        " tags = '{quillfeather-vip}', lead_source = 'Philippa''s sister Quillfeather'"
        " where id = %s",
        [philippa],
    )
    admin.execute("delete from public.customer_notes where id = %s", [gone])
    admin.execute("delete from public.customer_contacts where id = %s", [contact])
    # Searched for by name: the recorded read names the rows shown, never the words typed.
    assert "Quillfeather" in owner.get("/customers?q=Quillfeather").get_data(as_text=True)
    return Household(philippa, neighbour, place_id, visit, UUID(str(visit_note)))


def tables_mentioning(admin: Connection, needles: tuple[str, ...]) -> dict[str, int]:
    """Every table of every non-system schema whose rows, as text, contain one of `needles`."""
    tables = admin.execute(
        "select n.nspname as schema, c.relname as name from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'p') and n.nspname <> 'information_schema'"
        " and n.nspname not like 'pg\\_%%' order by 1, 2"
    ).fetchall()
    assert len(tables) > 30  # every table, the audit log's and the outbox's among them
    patterns = [f"%{needle}%" for needle in needles]
    found = {}
    for table in tables:
        row = admin.execute(
            sql.SQL("select count(*) as n from {} t where lower(t::text) like any(%s)").format(
                sql.Identifier(table["schema"], table["name"])
            ),
            [patterns],
        ).fetchone()
        if row and row["n"]:
            found[f"{table['schema']}.{table['name']}"] = row["n"]
    return found
