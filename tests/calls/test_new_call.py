"""Taking a call on one screen: the caller found by phone typed any way, name or address, with
their properties, equipment, open jobs and last visits; a new caller's customer, property,
equipment and job created in one submit, all or nothing; possible duplicates shown before
saving; then a window booked on the next page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.customers.support import count
from tests.factories import Factory, Member, Tenant

TABLES = ("customers", "properties", "equipment", "jobs", "job_equipment", "visits")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@dataclass(frozen=True)
class Office:
    tenant: Tenant
    dispatcher: Member
    terry: Member
    ruth: UUID  # Ruth Alvarez, (312) 555-0123, ruth@example.com
    house: UUID  # 4821 N Damen Ave, Chicago
    furnace: UUID
    open_job: UUID


@pytest.fixture
def office(client: Client, make: Factory, admin: Connection) -> Office:
    tenant = make.tenant()
    dispatcher = make.member(tenant.id, "dispatcher")
    terry = make.member(tenant.id, "technician", make.account(full_name="Terry Tech"))
    ruth = make.customer(
        tenant.id, "Ruth", "Alvarez", phone="+13125550123", email="ruth@example.com"
    )
    house = make.property(tenant.id, ruth, street="4821 N Damen Ave", city="Chicago")
    furnace = make.equipment(tenant.id, house)
    open_job = make.job(tenant.id, house, summary="Thermostat blank")
    make.visit(tenant.id, open_job)
    done = make.job(tenant.id, house, summary="Spring tune-up", kind="maintenance")
    past = make.visit(tenant.id, done)
    admin.execute(
        "update public.visits set status = 'canceled', cancel_reason = 'Fixed it',"
        " canceled_at = %s where id = %s",
        [datetime.now(UTC) - timedelta(days=30), past],
    )
    client.sign_in(dispatcher.email)
    return Office(tenant, dispatcher, terry, ruth, house, furnace, open_job)


def counts(admin: Connection, tenant: Tenant) -> dict[str, int]:
    return {table: count(admin, table, tenant.id) for table in TABLES}


def new_caller(**overrides: str) -> dict[str, str]:
    """A new caller's whole call, as the page posts it."""
    return {
        "q": "(773) 555-0199",
        "choice": "",
        "customer-kind": "residential",
        "customer-first_name": "Dana",
        "customer-last_name": "Reyes",
        "customer-phone": "(773) 555-0199",
        "customer-email": "dana@example.com",
        "customer-preferred_contact": "sms",
        "customer-transactional_messages": "y",
        "property-street": "12 Elm St",
        "property-city": "Springfield",
        "property-region": "IL",
        "property-postal_code": "62701",
        "property-country": "US",
        "property-property_type": "single_family",
        "equipment-equipment_kind": "air_conditioner",
        "equipment-brand": "Trane",
        "job-job_kind": "repair",
        "job-priority": "high",
        "job-summary": "No cooling upstairs",
        **overrides,
    }


def matches_of(page: str) -> list[str]:
    return re.findall(r'<h2 class="match-name"><a [^>]+>([^<]+)</a>', page)


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "(312) 555-0123",
        "312.555.0123",
        "+1 312 555 0123",
        "312-555-0123",
        "0123",  # the last 4 digits
        "Ruth",
        "alvarez",
        "ruth@example",
        "4821 N Damen",
    ],
)
def test_the_caller_is_found_however_the_phone_or_name_is_said(
    client: Client, office: Office, typed: str
):
    fragment = text(client.get("/calls/search", query_string={"q": typed}))
    page = text(client.get("/calls/new", query_string={"q": typed}))  # without script

    for shown in (fragment, page):
        assert matches_of(shown) == ["Ruth Alvarez"]
        assert f'name="choice" id="choice-{office.house}" value="{office.house}"' in shown
        assert f'name="job-equipment_ids" id="equipment-{office.furnace}"' in shown
        assert "Carrier Furnace" in shown
        assert "Thermostat blank" in shown  # an open job
        assert "Spring tune-up" in shown and "Canceled" in shown  # the last visit


def test_a_search_is_recorded_as_a_read_of_the_customers_shown(
    client: Client, office: Office, admin: Connection
):
    client.get("/calls/search", query_string={"q": "Ruth"})

    logged = admin.execute(
        "select new_values from audit.changes where tenant_id = %s and operation = 'access'"
        " and table_name = 'public.customers'",
        [office.tenant.id],
    ).fetchall()
    assert any(str(office.ruth) in str(row["new_values"]) for row in logged)


@pytest.mark.parametrize(
    ("typed", "field", "value"),
    [
        ("(773) 555-0199", "customer-phone", "(773) 555-0199"),
        ("dana@example.com", "customer-email", "dana@example.com"),
        ("Dana Reyes", "customer-first_name", "Dana"),
        ("Dana Reyes", "customer-last_name", "Reyes"),
        ("12 Elm St", "property-street", "12 Elm St"),
    ],
)
def test_a_miss_keeps_what_was_typed_for_the_new_caller(
    client: Client, office: Office, typed: str, field: str, value: str
):
    page = text(client.get("/calls/new", query_string={"q": typed}))

    assert "No customer matches" in page
    assert re.search(rf'<input[^>]* name="{field}"[^>]* value="{re.escape(value)}"', page)
    assert 'id="choice-new" value="" checked' in page


# --- one submit -----------------------------------------------------------------------------


def test_a_new_caller_is_created_in_one_submit(client: Client, office: Office, admin: Connection):
    before = counts(admin, office.tenant)

    response = client.submit("/calls/new", new_caller())

    assert response.status_code == 302
    after = counts(admin, office.tenant)
    assert {t: after[t] - before[t] for t in TABLES} == {t: 1 for t in TABLES}
    job = admin.execute(
        "select j.summary, j.priority, c.display_name, c.phone, p.street, e.brand, v.id as visit"
        " from public.jobs j join public.customers c on c.id = j.customer_id"
        " join public.properties p on p.id = j.property_id"
        " join public.job_equipment je on je.job_id = j.id"
        " join public.equipment e on e.id = je.equipment_id"
        " join public.visits v on v.job_id = j.id where j.tenant_id = %s"
        " and j.summary = 'No cooling upstairs'",
        [office.tenant.id],
    ).fetchone()
    assert job is not None
    assert (job["display_name"], job["phone"], job["street"], job["brand"], job["priority"]) == (
        "Dana Reyes",
        "+17735550199",
        "12 Elm St",
        "Trane",
        "high",
    )
    assert response.headers["Location"] == f"/calls/visits/{job['visit']}"


def test_the_created_rows_are_in_the_audit_log_as_the_dispatchers(
    client: Client, office: Office, admin: Connection
):
    client.submit("/calls/new", new_caller())

    logged = admin.execute(
        "select table_name from audit.changes where tenant_id = %s and operation = 'insert'"
        " and actor_id = %s",
        [office.tenant.id, office.dispatcher.account_id],
    ).fetchall()
    assert {f"public.{t}" for t in TABLES} <= {row["table_name"] for row in logged}


def test_equipment_is_optional(client: Client, office: Office, admin: Connection):
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new", new_caller(**{"equipment-equipment_kind": "", "equipment-brand": ""})
    )

    assert response.status_code == 302
    after = counts(admin, office.tenant)
    assert (after["equipment"], after["job_equipment"]) == (
        before["equipment"],
        before["job_equipment"],
    )
    assert after["jobs"] == before["jobs"] + 1


def test_bad_fields_say_what_is_wrong_and_create_nothing(
    client: Client, office: Office, admin: Connection
):
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new",
        new_caller(
            **{
                "customer-phone": "call me",
                "property-city": "",
                "property-postal_code": "ABC",
                "equipment-seer2": "900",
                "job-summary": "",
            }
        ),
    )

    page = text(response)
    assert response.status_code == 422
    assert "Nothing was saved." in page
    assert "Enter a valid phone number" in page
    assert "Enter the city." in page
    assert "Enter a 5-digit ZIP code" in page
    assert "Enter a number from 1 to 50" in page
    assert "Say what the job is" in page
    assert 'value="Dana"' in page  # what was typed is kept
    assert counts(admin, office.tenant) == before


def test_a_refusal_by_the_database_part_way_leaves_nothing_behind(
    client: Client, office: Office, admin: Connection
):
    """The customer and property are written before the equipment, which the database
    refuses (warranty ending before the install): none of it stays."""
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new",
        new_caller(
            **{"equipment-installed_on": "2020-05-01", "equipment-warranty_ends_on": "2019-01-01"}
        ),
    )

    assert response.status_code == 422
    assert counts(admin, office.tenant) == before


# --- possible duplicates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"customer-phone": "312.555.0123"}, "the same phone"),
        ({"customer-email": "RUTH@example.com"}, "the same email"),
        (
            {
                "customer-first_name": "ruth",
                "customer-last_name": "Alvarez",
                "property-street": "4821 n damen ave",
                "property-city": "Chicago",
            },
            "the same name and address",
        ),
    ],
)
def test_a_possible_duplicate_is_shown_before_saving(
    client: Client, office: Office, admin: Connection, change: dict[str, str], reason: str
):
    before = counts(admin, office.tenant)

    response = client.submit("/calls/new", new_caller(**change))

    page = text(response)
    assert response.status_code == 200
    assert "Possibly a customer already" in page
    assert "Ruth Alvarez" in page and reason in page
    assert f'name="use_customer" value="{office.ruth}"' in page
    assert 'name="confirm_new" value="1"' in page
    assert counts(admin, office.tenant) == before


def test_create_anyway_makes_a_new_customer(client: Client, office: Office, admin: Connection):
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new", new_caller(**{"customer-phone": "312.555.0123", "confirm_new": "1"})
    )

    assert response.status_code == 302
    assert count(admin, "customers", office.tenant.id) == before["customers"] + 1


def test_use_this_customer_takes_the_call_for_them_at_their_property(
    client: Client, office: Office, admin: Connection
):
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new",
        new_caller(
            **{
                "customer-first_name": "Ruth",
                "customer-last_name": "Alvarez",
                "property-street": "4821 N Damen Ave",
                "property-city": "Chicago",
                "equipment-equipment_kind": "",
                "use_customer": str(office.ruth),
            }
        ),
    )

    assert response.status_code == 302
    after = counts(admin, office.tenant)
    assert (after["customers"], after["properties"]) == (
        before["customers"],
        before["properties"],
    )
    job = admin.execute(
        "select customer_id, property_id from public.jobs where summary = 'No cooling upstairs'"
    ).fetchone()
    assert job == {"customer_id": office.ruth, "property_id": office.house}


# --- a caller found -------------------------------------------------------------------------


def test_an_archived_property_is_not_offered_for_new_work(
    client: Client, office: Office, admin: Connection
):
    admin.execute("update public.properties set archived_at = now() where id = %s", [office.house])

    page = text(client.get("/calls/new", query_string={"q": "Ruth Alvarez"}))

    assert matches_of(page) == ["Ruth Alvarez"]
    assert f'value="{office.house}"' not in page


@pytest.mark.parametrize("phone", ["555-01", "not a phone"])
def test_what_was_left_in_the_new_caller_boxes_does_not_matter_for_a_found_customer(
    client: Client, office: Office, admin: Connection, phone: str
):
    """Typing "555-01" fills the hidden phone box; typing on finds Ruth, and her house is
    chosen: the half-typed number is not the call's, and is neither checked nor saved."""
    at_her_house = {
        "q": "555-0123",
        "choice": str(office.house),
        "job-job_kind": "repair",
        "job-priority": "normal",
        "job-summary": "Furnace short-cycling",
        "customer-phone": phone,
    }
    assert client.submit("/calls/new", at_her_house).status_code == 302

    use_her = new_caller(
        **{
            "customer-first_name": "Ruth",
            "customer-last_name": "Alvarez",
            "customer-phone": phone,
            "property-street": "4821 N Damen Ave",
            "property-city": "Chicago",
            "equipment-equipment_kind": "",
            "use_customer": str(office.ruth),
        }
    )
    assert client.submit("/calls/new", use_her).status_code == 302
    jobs = admin.execute(
        "select property_id from public.jobs where customer_id = %s and summary in"
        " ('Furnace short-cycling', 'No cooling upstairs')",
        [office.ruth],
    ).fetchall()
    assert [j["property_id"] for j in jobs] == [office.house, office.house]


def test_use_this_customer_at_their_archived_address_adds_it_anew(
    client: Client, office: Office, admin: Connection
):
    admin.execute("update public.properties set archived_at = now() where id = %s", [office.house])
    use_her = new_caller(
        **{
            "customer-first_name": "Ruth",
            "customer-last_name": "Alvarez",
            "property-street": "4821 N Damen Ave",
            "property-city": "Chicago",
            "equipment-equipment_kind": "",
            "use_customer": str(office.ruth),
        }
    )

    assert client.submit("/calls/new", use_her).status_code == 302
    job = admin.execute(
        "select j.property_id, p.archived_at from public.jobs j join public.properties p"
        " on p.id = j.property_id where j.summary = 'No cooling upstairs'"
    ).fetchone()
    assert job is not None
    assert job["property_id"] != office.house and job["archived_at"] is None


def test_a_job_at_a_found_property_names_the_chosen_equipment(
    client: Client, office: Office, admin: Connection
):
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new",
        {
            "q": "Ruth",
            "choice": str(office.house),
            "job-equipment_ids": str(office.furnace),
            "job-job_kind": "repair",
            "job-priority": "normal",
            "job-summary": "Furnace short-cycling",
            "customer-first_name": "",  # the new-caller parts are not needed, nor checked
            "property-street": "",
        },
    )

    assert response.status_code == 302
    after = counts(admin, office.tenant)
    assert {t: after[t] - before[t] for t in TABLES} == {
        "customers": 0,
        "properties": 0,
        "equipment": 0,
        "jobs": 1,
        "job_equipment": 1,
        "visits": 1,
    }


def test_equipment_of_another_property_is_refused(
    client: Client, office: Office, make: Factory, admin: Connection
):
    elsewhere = make.property(office.tenant.id, office.ruth, street="9 Lake Shore Dr")
    boiler = make.equipment(office.tenant.id, elsewhere, kind="boiler")
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new",
        {
            "choice": str(office.house),
            "job-equipment_ids": str(boiler),
            "job-job_kind": "repair",
            "job-priority": "normal",
            "job-summary": "Noisy",
        },
    )

    assert response.status_code == 422
    assert "Choose equipment at this property." in text(response)
    assert counts(admin, office.tenant) == before


def test_a_new_property_for_a_found_customer(client: Client, office: Office, admin: Connection):
    before = counts(admin, office.tenant)

    response = client.submit(
        "/calls/new", new_caller(choice=f"new:{office.ruth}", **{"customer-first_name": ""})
    )

    assert response.status_code == 302
    after = counts(admin, office.tenant)
    assert (after["customers"], after["properties"]) == (
        before["customers"],
        before["properties"] + 1,
    )


def test_another_companys_customer_or_property_is_refused(
    client: Client, office: Office, make: Factory, admin: Connection
):
    other = make.tenant()
    stranger = make.customer(other.id, "Sam", "Stranger")
    their_house = make.property(other.id, stranger)

    as_property = client.submit(
        "/calls/new",
        {"choice": str(their_house), "job-job_kind": "repair", "job-summary": "x"},
    )
    as_customer = client.submit("/calls/new", new_caller(choice=f"new:{stranger}"))

    assert (as_property.status_code, as_customer.status_code) == (422, 422)
    assert count(admin, "jobs", other.id) == 0
    assert count(admin, "properties", other.id) == 1


# --- booking --------------------------------------------------------------------------------


def test_the_next_page_offers_windows_and_one_click_books(
    client: Client, office: Office, admin: Connection
):
    visit = client.submit("/calls/new", new_caller()).headers["Location"]

    page = text(client.get(visit))
    first = next(v for v in re.findall(r'name="call-slot" value="([^"]*)"', page) if v)
    response = client.submit(visit, {"call-slot": first, "call-duration_minutes": "90"})

    assert "Book the visit for Dana Reyes" in page
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/jobs/")
    visit_id = visit.rsplit("/", 1)[1]
    row = admin.execute(
        "select status, window_starts_at from public.visits where id = %s", [visit_id]
    ).fetchone()
    assert row is not None and row["status"] == "scheduled"
    assert row["window_starts_at"] == datetime.fromisoformat(first)


def test_the_booking_page_of_another_companys_visit_is_missing(
    client: Client, office: Office, make: Factory
):
    other = make.tenant()
    job = make.job(other.id, make.property(other.id, make.customer(other.id)))
    visit = make.visit(other.id, job)

    assert client.get(f"/calls/visits/{visit}").status_code == 404


def test_the_new_call_page_is_in_the_menu_with_its_shortcut(client: Client, office: Office):
    home = text(client.get("/"))

    assert 'href="/calls/new" data-shortcut="n"' in home
    assert "/static/shortcuts.js" in home
