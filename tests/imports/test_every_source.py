"""Each recognised source's export (files written for the tests in the source's layout, with
the quirks of the issue) through the office's real path (upload, the preset's mapping, preview,
import), checked against tests/imports/files/expected.json: the preset recognised, the lines
left out and why, how many customers, properties and contacts were saved, and spot values of
the customers as saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from app.db import Connection
from tests.imports.support import import_id_of, text, upload

FILES = Path(__file__).resolve().parent / "files"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FILES / "expected.json").read_text())["files"]
SCALARS = (
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "source_id",
    "notes",
    "lead_source",
    "tags",
    "do_not_service",
    "do_not_contact",
    "email",
)


def _import(office, name: str, options: dict[str, str] | None = None) -> UUID:
    uploaded = upload(office, (FILES / name).read_bytes(), name)
    assert uploaded.status_code == 302, text(uploaded)
    import_id = import_id_of(uploaded)
    assert office.submit(f"/customers/import/{import_id}/mapping", options).status_code == 302
    assert office.submit(f"/customers/import/{import_id}/confirm").status_code == 302
    return UUID(import_id)


def _saved(admin: Connection, tenant_id: UUID) -> dict[str, dict[str, Any]]:
    """Each saved customer by display name, with its phones, emails, properties and contacts."""
    params = {"t": tenant_id}
    found: dict[str, dict[str, Any]] = {}
    for row in admin.execute(
        "select c.*, array(select jsonb_build_object('number', p.number, 'kind', p.kind,"
        "   'extension', p.extension) from public.customer_phones p"
        "   where p.customer_id = c.id and p.contact_id is null order by p.created_at) as phones,"
        " array(select e.email from public.customer_emails e"
        "   where e.customer_id = c.id and e.contact_id is null) as emails,"
        " array(select to_jsonb(p) from public.properties p where p.customer_id = c.id"
        "   order by p.created_at, p.street) as properties,"
        " array(select to_jsonb(ct) from public.customer_contacts ct where ct.customer_id = c.id"
        "   order by ct.created_at) as contacts"
        " from public.customers c where c.tenant_id = %(t)s",
        params,
    ):
        found[row["display_name"]] = row
    return found


def _check_customer(name: str, saved: dict[str, Any], spot: dict[str, Any], flags: list[str]):
    for key in SCALARS:
        if key in spot:
            assert saved[key] == spot[key], (name, key)
    if "phone" in spot:
        assert saved["phone"] == spot["phone"]["number"], name
        if spot["phone"]["number"]:
            assert (saved["phone_kind"], saved["phone_extension"]) == (
                spot["phone"]["kind"],
                spot["phone"]["extension"],
            ), name
    if "phones" in spot:
        assert sorted(saved["phones"], key=str) == sorted(spot["phones"], key=str), name
    if "emails" in spot:
        assert sorted(saved["emails"]) == sorted(spot["emails"]), name
    for want in spot.get("properties", []):
        assert any(all(p[k] == v for k, v in want.items()) for p in saved["properties"]), (
            name,
            want,
            saved["properties"],
        )
    if "contacts" in spot:
        people = [{k: c[k] for k in ("full_name", "title")} for c in saved["contacts"]]
        for want in spot["contacts"]:
            assert any(all(p[k] == v for k, v in want.items()) for p in people), (name, want)
        assert len(people) == len(spot["contacts"]), (name, people)
    if "billing_address_kept" in spot:
        assert bool(saved["billing_address"]) == spot["billing_address_kept"], name
    for field in spot.get("flagged", []):
        assert any(f.startswith(field) or field.startswith(f) for f in flags if f), (name, field)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_source_brings_its_customers_over(office, admin, company, name):
    expected = EXPECTED[name]

    import_id = _import(office, name)

    found = admin.execute(
        "select source, encoding, problems, merged_rows from public.customer_imports where id = %s",
        [import_id],
    ).fetchone()
    assert found["source"] == (expected["preset"] or "")
    assert found["encoding"] == expected["encoding"]
    assert found["merged_rows"] == expected["merged_rows"]
    left_out = [(p["line"], p["reason"]) for p in found["problems"]]
    assert [line for line, _ in left_out] == [e["line"] for e in expected["left_out"]]
    for (_, reason), wanted in zip(left_out, expected["left_out"], strict=True):
        assert reason.startswith(wanted["reason"].split(":")[0]), (reason, wanted)
    saved = _saved(admin, company.id)
    assert len(saved) == expected["customers"]
    if "properties" in expected:
        assert sum(len(c["properties"]) for c in saved.values()) == expected["properties"]
    assert sum(len(c["contacts"]) for c in saved.values()) == expected["contacts"]
    everything = json.dumps(list(saved.values()), default=str)
    for number in expected.get("absent_numbers", []):
        assert number not in everything
    items = admin.execute(
        "select label, lines, flags from public.import_items where import_id = %s", [import_id]
    ).fetchall()
    by_label = {item["label"]: item for item in items}
    for customer, spot in expected["spot"].items():
        assert customer in saved, (customer, sorted(saved))
        item = by_label[customer]
        if "lines" in spot:
            assert item["lines"] == spot["lines"], customer
        _check_customer(customer, saved[customer], spot, [f["field"] for f in item["flags"]])


def test_seven_digit_numbers_take_the_area_code_only_when_the_office_says_so(
    office, admin, company
):
    cases = {
        (name, customer): spot["with_area_code_217"]
        for name, expected in EXPECTED.items()
        for customer, spot in expected["spot"].items()
        if "with_area_code_217" in spot
    }
    assert cases  # the fixtures hold 7-digit numbers
    name = next(iter(cases))[0]

    _import(office, name, {"area_code": "217"})

    saved = _saved(admin, company.id)
    for (file, customer), changed in cases.items():
        if file == name:
            _check_customer(customer, saved[customer], changed, [])
