"""Plenum's own exports (customers, properties, contacts, equipment) imported into an empty
company bring everything back: the same customers with every phone (type and extension), email,
billing address, flag, tag and note; the same properties with their type, size and notes; the
same contact people with their numbers; the same equipment on the same properties.

Left out by design, and so not compared: marketing consent and message preferences (a consent
is recorded where it is given, with its time and source, never copied from a file) and
geocoding (done again by the geocoding job)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.db import Connection
from tests.conftest import Client
from tests.imports.support import import_id_of, text, upload

EXPORTS = (
    ("customers", "/customers/export.csv"),
    ("customers", "/properties/export.csv"),
    ("customers", "/contacts/export.csv"),
    ("equipment", "/equipment/export.csv"),
)
PRESETS = ("Plenum customers", "Plenum properties", "Plenum contacts", "Plenum equipment")


def _book(conn: Connection, tenant_id: UUID) -> None:
    """A company's book with something in every column the exports carry."""

    def one(statement: str, params: dict[str, Any]) -> UUID:
        row = conn.execute(statement + " returning id", {"t": tenant_id} | params).fetchone()
        assert row is not None
        return UUID(str(row["id"]))

    ann = one(
        "insert into public.customers (tenant_id, first_name, last_name, email, phone,"
        " phone_kind, tags, lead_source, notes, do_not_contact, billing_address)"
        " values (%(t)s, 'Ann', 'Lee', 'ann@example.com', '+12175550142', 'mobile',"
        " '{VIP,Maintenance plan}', 'Google', 'Two dogs in the yard', true,"
        " 'PO Box 12, Springfield, IL 62701')",
        {},
    )
    dental = one(
        "insert into public.customers (tenant_id, kind, company_name, email, phone, phone_kind,"
        " phone_extension, do_not_service)"
        " values (%(t)s, 'commercial', 'Riverside Dental Group, P.C.',"
        " 'frontdesk@riverside.example.com', '+15085550136', 'work', '12', true)",
        {},
    )
    for customer, kind, number, extension in (
        (ann, "home", "+12175550143", ""),
        (ann, "work", "+12175550144", "204"),
        (dental, "fax", "+15085550139", ""),
    ):
        one(
            "insert into public.customer_phones (tenant_id, customer_id, kind, number, extension)"
            " values (%(t)s, %(c)s, %(k)s, %(n)s, %(x)s)",
            {"c": customer, "k": kind, "n": number, "x": extension},
        )
    one(
        "insert into public.customer_emails (tenant_id, customer_id, kind, email)"
        " values (%(t)s, %(c)s, 'work', 'ann.lee@work.example.com')",
        {"c": ann},
    )
    home = one(
        "insert into public.properties (tenant_id, customer_id, label, street, city, region,"
        " postal_code, property_type, square_feet, year_built, notes)"
        " values (%(t)s, %(c)s, 'Home', '12 Elm St', 'Springfield', 'IL', '62701',"
        " 'single_family', 1850, 1962, 'Dog in the yard')",
        {"c": ann},
    )
    one(
        "insert into public.properties (tenant_id, customer_id, label, street, unit, city,"
        " region, postal_code, property_type)"
        " values (%(t)s, %(c)s, 'Lake house', '5 Shore Dr', 'Unit 2', 'Chatham', 'IL', '62629',"
        " 'condo')",
        {"c": ann},
    )
    office = one(
        "insert into public.properties (tenant_id, customer_id, street, unit, city, region,"
        " postal_code, property_type)"
        " values (%(t)s, %(c)s, '1200 Main St', 'Suite 300', 'Worcester', 'MA', '01545',"
        " 'commercial')",
        {"c": dental},
    )
    maria = one(
        "insert into public.customer_contacts (tenant_id, customer_id, full_name, title, email,"
        " phone, phone_kind, phone_extension)"
        " values (%(t)s, %(c)s, 'Maria Gomez', 'Office manager', 'maria@riverside.example.com',"
        " '+15085550137', 'work', '7')",
        {"c": dental},
    )
    one(
        "insert into public.customer_phones (tenant_id, customer_id, contact_id, kind, number)"
        " values (%(t)s, %(c)s, %(p)s, 'mobile', '+15085550138')",
        {"c": dental, "p": maria},
    )
    one(
        "insert into public.customer_emails (tenant_id, customer_id, contact_id, kind, email)"
        " values (%(t)s, %(c)s, %(p)s, 'personal', 'maria.gomez@example.com')",
        {"c": dental, "p": maria},
    )
    one(
        "insert into public.equipment (tenant_id, property_id, kind, brand, model, serial,"
        " installed_on, warranty_ends_on, afue, filter_size, notes)"
        " values (%(t)s, %(p)s, 'furnace', 'Carrier', '59SC5', '1234ABC', '2019-05-03',"
        " '2029-05-03', 96, '16x25x1', 'Replaced the igniter in 2023')",
        {"p": home},
    )
    one(
        "insert into public.equipment (tenant_id, property_id, kind, brand, model, serial,"
        " seer2, hspf2, refrigerant)"
        " values (%(t)s, %(p)s, 'heat_pump', 'Trane', 'XR16', 'TR-99812', 16.5, 8.1, 'R-410A')",
        {"p": office},
    )


def _snapshot(conn: Connection, tenant_id: UUID) -> dict[str, Any]:
    """Everything the exports carry, keyed by what a person reads (names, streets)."""
    params = {"t": tenant_id}
    customers = conn.execute(
        "select c.id, c.display_name, c.kind, c.first_name, c.last_name, c.company_name, c.email,"
        " c.tags, c.lead_source, c.notes, c.do_not_contact, c.do_not_service, c.billing_address,"
        " array(select format('%%s %%s x%%s', x.kind, x.number, x.extension) from ("
        "   select c.phone_kind as kind, c.phone as number, c.phone_extension as extension"
        "   union all select p.kind, p.number, p.extension from public.customer_phones p"
        "   where p.customer_id = c.id and p.contact_id is null) x order by 1) as phones,"
        " array(select e.email from public.customer_emails e"
        "   where e.customer_id = c.id and e.contact_id is null order by 1) as emails"
        " from public.customers c where c.tenant_id = %(t)s",
        params,
    ).fetchall()
    places = conn.execute(
        "select p.customer_id, p.label, p.street, p.unit, p.city, p.region, p.postal_code,"
        " p.country, p.property_type, p.square_feet, p.year_built, p.notes,"
        " array(select row(e.kind, e.brand, e.model, e.serial, e.installed_on,"
        "   e.warranty_ends_on, e.seer2, e.afue, e.hspf2, e.refrigerant, e.filter_size, e.notes)"
        "   ::text from public.equipment e where e.property_id = p.id order by 1) as equipment"
        " from public.properties p where p.tenant_id = %(t)s",
        params,
    ).fetchall()
    people = conn.execute(
        "select ct.customer_id, ct.full_name, ct.title,"
        " array(select format('%%s %%s x%%s', x.kind, x.number, x.extension) from ("
        "   select ct.phone_kind as kind, ct.phone as number, ct.phone_extension as extension"
        "   union all select p.kind, p.number, p.extension from public.customer_phones p"
        "   where p.contact_id = ct.id) x order by 1) as phones,"
        " array(select x from (select ct.email as x union all"
        "   select e.email from public.customer_emails e where e.contact_id = ct.id) y"
        "   order by 1) as emails"
        " from public.customer_contacts ct where ct.tenant_id = %(t)s",
        params,
    ).fetchall()
    book: dict[str, Any] = {}
    for customer in customers:
        whose = customer.pop("id")
        name = customer["display_name"]
        book[name] = customer | {
            "properties": sorted(
                (
                    {k: v for k, v in p.items() if k != "customer_id"}
                    for p in places
                    if p["customer_id"] == whose
                ),
                key=lambda p: p["street"],
            ),
            "contacts": [
                {k: v for k, v in c.items() if k != "customer_id"}
                for c in people
                if c["customer_id"] == whose
            ],
        }
    return book


def _import(client: Client, kind: str, name: str, data: bytes) -> str:
    uploaded = upload(client, data, name, kind)
    assert uploaded.status_code == 302, text(uploaded)
    import_id = import_id_of(uploaded)
    page = text(client.get(f"/customers/import/{import_id}/mapping"))
    assert client.submit(f"/customers/import/{import_id}/mapping").status_code == 302
    assert client.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    return page + text(client.get(f"/customers/import/{import_id}"))


def test_plenums_own_exports_import_into_an_empty_company_with_nothing_lost(app, admin, make):
    before, after = make.tenant("Old Books HVAC"), make.tenant("New Books HVAC")
    _book(admin, before.id)
    exporter, importer = app.test_client(), app.test_client()
    exporter.sign_in(before.owner.email)
    importer.sign_in(after.owner.email)

    for (kind, url), preset in zip(EXPORTS, PRESETS, strict=True):
        exported = exporter.get(url)
        assert exported.status_code == 200
        name = url.strip("/").replace("/export", "")
        page = _import(importer, kind, name, exported.get_data())
        assert f"Recognised: <strong>{preset}" in page, name
        assert "Import finished:" in page, name
        assert "flag-left_out" not in page, name  # nothing of the file was left out

    assert _snapshot(admin, after.id) == _snapshot(admin, before.id)
