"""What an imported (or carefully kept) customer has beyond one phone and one email: the main
number's type and extension, other numbers and emails of the customer and of their contact
people, the billing address, "do not service", and the old system's id, shown, edited and
searched; other companies' rows stay 404 (P-01)."""

from __future__ import annotations

import html
from typing import Any
from uuid import UUID

import pytest

from tests.conftest import Client
from tests.customers.support import count, customer_form, signed_in, stored, text
from tests.factories import Factory
from tests.policies.identity import acting_as, claims_of


def phone_row(make: Factory, tenant_id: UUID, customer_id: UUID, **values: Any) -> UUID:
    row = make.conn.execute(
        "insert into public.customer_phones (tenant_id, customer_id, contact_id, kind, number,"
        " extension) values (%(tenant_id)s, %(customer_id)s, %(contact_id)s, %(kind)s,"
        " %(number)s, %(extension)s) returning id",
        {
            "tenant_id": tenant_id,
            "customer_id": customer_id,
            "contact_id": None,
            "kind": "home",
            "number": "+12175550142",
            "extension": "",
            **values,
        },
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def email_row(make: Factory, tenant_id: UUID, customer_id: UUID, **values: Any) -> UUID:
    row = make.conn.execute(
        "insert into public.customer_emails (tenant_id, customer_id, contact_id, kind, email)"
        " values (%(tenant_id)s, %(customer_id)s, %(contact_id)s, %(kind)s, %(email)s)"
        " returning id",
        {
            "tenant_id": tenant_id,
            "customer_id": customer_id,
            "contact_id": None,
            "kind": "work",
            "email": "dana.work@example.com",
            **values,
        },
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def error_of(page: str, field: str) -> str:
    assert f'id="{field}-error"' in page, page
    return html.unescape(page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0])


def imported(make: Factory, tenant_id: UUID) -> UUID:
    customer_id = make.customer(tenant_id, "Dana", "Reyes", phone="+12175550140")
    make.conn.execute(
        "update public.customers set phone_kind = 'work', phone_extension = '204',"
        " billing_address = 'PO Box 12' || chr(10) || 'Springfield, IL 62701',"
        " source_system = 'jobber', source_id = '123', do_not_service = true where id = %s",
        [customer_id],
    )
    return customer_id


def test_the_page_shows_every_number_and_email_with_its_type_the_billing_address_and_source(
    client: Client, make: Factory
) -> None:
    tenant = signed_in(client, make)
    customer_id = imported(make, tenant.id)
    phone_row(make, tenant.id, customer_id, kind="home", number="+12175550142")
    phone_row(make, tenant.id, customer_id, kind="fax", number="+12175550143", extension="12")
    email_row(make, tenant.id, customer_id)
    contact = make.contact(tenant.id, customer_id, "Morgan Manager")
    phone_row(
        make, tenant.id, customer_id, contact_id=contact, kind="mobile", number="+12175550144"
    )
    email_row(make, tenant.id, customer_id, contact_id=contact, email="morgan@example.com")

    page = text(client.get(f"/customers/{customer_id}"))

    assert 'Work</span> <a href="tel:+12175550140,204">(217) 555-0140</a> ext. 204' in page
    assert 'Home</span> <a href="tel:+12175550142">(217) 555-0142</a>' in page
    assert "(217) 555-0143</a> ext. 12" in page and "Fax" in page
    assert "dana.work@example.com" in page
    assert "PO Box 12<br>Springfield, IL 62701" in page
    assert "Imported from Jobber, id 123" in page
    assert "Do not service</span> The company does not take work from this customer" in page
    contacts = page.split('id="contacts"', 1)[1].split('id="properties"', 1)[0]
    assert "(217) 555-0144" in contacts and "morgan@example.com" in contacts


def test_do_not_service_is_a_badge_in_the_list_and_a_warning_where_work_is_booked(
    client: Client, make: Factory
) -> None:
    tenant = signed_in(client, make)
    customer_id = imported(make, tenant.id)
    make.customer(tenant.id, "Ada", "Welcome")
    home = make.property(tenant.id, customer_id, street="1 Elm St")
    job = make.job(tenant.id, home)

    listed = text(client.get("/customers"))
    assert listed.count("Do not service</span>") == 1

    for url in (f"/properties/{home}/jobs/new", f"/jobs/{job}", f"/properties/{home}"):
        page = text(client.get(url))
        assert 'is marked "do not service"' in html.unescape(page), url
    # A warning, not a block: the job is still booked.
    booked = client.submit(
        f"/properties/{home}/jobs/new",
        {"job_kind": "repair", "priority": "normal", "summary": "No heat"},
    )
    assert booked.status_code == 302


def test_the_form_edits_the_phone_type_extension_billing_address_and_do_not_service(
    client: Client, make: Factory
) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Dana", "Reyes", phone="+13125550123")

    response = client.submit(
        f"/customers/{customer_id}/edit",
        customer_form(
            phone_kind="work",
            phone_extension="ext. 204",
            billing_address="PO Box 12\nSpringfield, IL 62701",
            do_not_service="y",
        ),
    )

    assert response.status_code == 302
    row = stored(make.conn, customer_id)
    assert (row["phone_kind"], row["phone_extension"]) == ("work", "204")
    assert row["billing_address"] == "PO Box 12\nSpringfield, IL 62701"
    assert row["do_not_service"] is True
    form = text(client.get(f"/customers/{customer_id}/edit"))
    assert 'value="204"' in form and '<option selected value="work">' in form
    new = client.submit("/customers/new", customer_form(phone_kind="home", first_name="Lee"))
    assert stored(make.conn, new.headers["Location"].rsplit("/", 1)[1])["phone_kind"] == "home"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone_extension": "12a"}, "phone_extension", "up to 10 digits"),
        ({"phone_extension": "12345678901"}, "phone_extension", "up to 10 digits"),
        ({"phone": "", "phone_extension": "204"}, "phone_extension", "number this extension"),
        ({"phone_kind": "fax"}, "phone_kind", "Not a valid choice"),
        ({"billing_address": "x" * 501}, "billing_address", "At most 500 characters"),
    ],
)
def test_a_bad_phone_type_extension_or_billing_address_is_refused_next_to_the_field(
    client: Client, make: Factory, overrides: dict[str, str], field: str, message: str
) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Dana", "Reyes")

    response = client.submit(f"/customers/{customer_id}/edit", customer_form(**overrides))

    assert response.status_code == 422
    assert message in error_of(text(response), field)
    assert stored(make.conn, customer_id)["first_name"] == "Dana"
    assert stored(make.conn, customer_id)["phone"] == ""


def test_other_numbers_and_emails_are_added_and_removed_on_the_customer_page(
    client: Client, make: Factory, admin
) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Dana", "Reyes")

    added = client.submit(
        f"/customers/{customer_id}/phones",
        {"number_kind": "work", "number": "217.555.0143", "extension": "x12"},
    )
    assert added.status_code == 302
    assert added.headers["Location"].endswith(f"/customers/{customer_id}#numbers")
    mailed = client.submit(
        f"/customers/{customer_id}/emails",
        {"other_email_kind": "personal", "other_email": " Dana.Home@Example.com "},
    )
    assert mailed.status_code == 302
    phone = admin.execute("select * from public.customer_phones").fetchone()
    email = admin.execute("select * from public.customer_emails").fetchone()
    assert (phone["kind"], phone["number"], phone["extension"]) == ("work", "+12175550143", "12")
    assert phone["contact_id"] is None and phone["tenant_id"] == tenant.id
    assert (email["kind"], email["email"]) == ("personal", "dana.home@example.com")
    page = text(client.get(f"/customers/{customer_id}"))
    assert "(217) 555-0143</a> ext. 12" in page and "dana.home@example.com" in page

    assert client.submit(f"/customer-phones/{phone['id']}/remove").status_code == 302
    assert client.submit(f"/customer-emails/{email['id']}/remove").status_code == 302
    assert count(admin, "customer_phones", tenant.id) == 0
    assert count(admin, "customer_emails", tenant.id) == 0


@pytest.mark.parametrize(
    ("url", "data", "field", "message"),
    [
        ("phones", {"number_kind": "home", "number": ""}, "number", "Enter the phone number"),
        ("phones", {"number_kind": "home", "number": "555-01"}, "number", "valid phone number"),
        ("phones", {"number_kind": "pager", "number": "2175550142"}, "number_kind", "valid choice"),
        (
            "phones",
            {"number_kind": "home", "number": "2175550142", "extension": "ext 2b"},
            "extension",
            "up to 10 digits",
        ),
        (
            "emails",
            {"other_email_kind": "work", "other_email": "dana-at-example"},
            "other_email",
            "valid",
        ),
        (
            "emails",
            {"other_email_kind": "work", "other_email": ""},
            "other_email",
            "Enter an email",
        ),
        (
            "emails",
            {"other_email_kind": "home", "other_email": "a@example.com"},
            "other_email_kind",
            "valid",
        ),
    ],
)
def test_a_bad_number_or_email_is_refused_on_the_page_and_nothing_is_saved(
    client: Client, make: Factory, admin, url: str, data: dict[str, str], field: str, message: str
) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Dana", "Reyes")

    response = client.submit(f"/customers/{customer_id}/{url}", data)

    assert response.status_code == 422
    page = text(response)
    assert message in error_of(page, field)
    assert "Dana Reyes" in page  # the customer page again, the rest of it as it was
    assert count(admin, "customer_phones", tenant.id) == 0
    assert count(admin, "customer_emails", tenant.id) == 0


def test_the_same_number_or_email_twice_is_refused_with_words(
    client: Client, make: Factory, admin
) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Dana", "Reyes")
    phone_row(make, tenant.id, customer_id, number="+12175550142")
    email_row(make, tenant.id, customer_id, email="dana.work@example.com")

    again = client.submit(
        f"/customers/{customer_id}/phones", {"number_kind": "work", "number": "(217) 555-0142"}
    )
    twice = client.submit(
        f"/customers/{customer_id}/emails",
        {"other_email_kind": "other", "other_email": "DANA.WORK@example.com"},
    )

    assert again.status_code == 422
    assert "already on file" in error_of(text(again), "number")
    assert twice.status_code == 422
    assert "already on file" in error_of(text(twice), "other_email")
    assert count(admin, "customer_phones", tenant.id) == 1


def test_a_contact_gets_a_phone_type_extension_and_other_numbers(
    client: Client, make: Factory, admin
) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "", "", kind="commercial", company_name="Acme Plaza")
    contact = make.contact(tenant.id, customer_id, "Morgan Manager")

    saved = client.submit(
        f"/contacts/{contact}/edit",
        {"full_name": "Morgan Manager", "phone": "2175550150", "phone_kind": "work",
         "phone_extension": "7"},
    )  # fmt: skip
    assert saved.status_code == 302
    row = admin.execute(
        "select * from public.customer_contacts where id = %s", [contact]
    ).fetchone()
    assert (row["phone"], row["phone_kind"], row["phone_extension"]) == (
        "+12175550150",
        "work",
        "7",
    )

    added = client.submit(
        f"/contacts/{contact}/phones", {"number_kind": "mobile", "number": "2175550151"}
    )
    assert added.headers["Location"].endswith(f"/contacts/{contact}/edit")
    client.submit(
        f"/contacts/{contact}/emails", {"other_email_kind": "work", "other_email": "m@acme.com"}
    )
    phone = admin.execute("select * from public.customer_phones").fetchone()
    email = admin.execute("select * from public.customer_emails").fetchone()
    assert (phone["customer_id"], phone["contact_id"]) == (customer_id, contact)
    assert (email["customer_id"], email["contact_id"]) == (customer_id, contact)
    page = text(client.get(f"/contacts/{contact}/edit"))
    assert "(217) 555-0151" in page and "m@acme.com" in page

    refused = client.submit(f"/contacts/{contact}/phones", {"number_kind": "mobile", "number": ""})
    assert refused.status_code == 422
    assert "Enter the phone number" in error_of(text(refused), "number")
    assert 'value="Morgan Manager"' in text(refused)

    removed = client.submit(f"/customer-phones/{phone['id']}/remove")
    assert removed.headers["Location"].endswith(f"/contacts/{contact}/edit")
    assert count(admin, "customer_phones", tenant.id) == 0


def test_another_companys_numbers_emails_and_customers_are_404(
    client: Client, make: Factory, admin
) -> None:
    signed_in(client, make)
    other = make.tenant()
    theirs = make.customer(other.id, "Olive", "Outsider")
    their_contact = make.contact(other.id, theirs, "Otto Outsider")
    their_phone = phone_row(make, other.id, theirs)
    their_email = email_row(make, other.id, theirs)
    number = {"number_kind": "home", "number": "2175550142"}
    address = {"other_email_kind": "work", "other_email": "a@example.com"}

    assert client.submit(f"/customers/{theirs}/phones", number).status_code == 404
    assert client.submit(f"/customers/{theirs}/emails", address).status_code == 404
    assert client.submit(f"/contacts/{their_contact}/phones", number).status_code == 404
    assert client.submit(f"/contacts/{their_contact}/emails", address).status_code == 404
    assert client.submit(f"/customer-phones/{their_phone}/remove").status_code == 404
    assert client.submit(f"/customer-emails/{their_email}/remove").status_code == 404
    assert count(admin, "customer_phones", other.id) == 1
    assert count(admin, "customer_emails", other.id) == 1


def test_removing_needs_the_pages_csrf_token(client: Client, make: Factory, admin) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Dana", "Reyes")
    phone = phone_row(make, tenant.id, customer_id)

    assert client.post(f"/customer-phones/{phone}/remove").status_code == 400
    assert count(admin, "customer_phones", tenant.id) == 1


@pytest.mark.parametrize(
    "term", ["217-555-0142", "5550142", "(217) 555-0143", "dana.work@", "MORGAN@EXAMPLE"]
)
def test_search_finds_a_customer_by_any_of_their_numbers_and_emails(
    client: Client, make: Factory, term: str
) -> None:
    tenant = signed_in(client, make)
    customer_id = make.customer(tenant.id, "Dana", "Reyes")
    make.customer(tenant.id, "Nora", "Neighbour", phone="+12175550199")
    phone_row(make, tenant.id, customer_id, number="+12175550142")
    email_row(make, tenant.id, customer_id, email="dana.work@example.com")
    contact = make.contact(tenant.id, customer_id, "Sam Site")
    phone_row(make, tenant.id, customer_id, contact_id=contact, number="+12175550143")
    email_row(make, tenant.id, customer_id, contact_id=contact, email="morgan@example.com")

    page = text(client.get("/customers", query_string={"q": term}))

    assert "Dana Reyes" in page
    assert "Nora Neighbour" not in page


def test_technicians_cannot_reach_other_numbers(client: Client, make: Factory, admin) -> None:
    tenant = signed_in(client, make, "technician")
    customer_id = make.customer(tenant.id, "Dana", "Reyes")
    phone = phone_row(make, tenant.id, customer_id)

    number = {"number_kind": "home", "number": "2175550148"}
    assert client.submit(f"/customers/{customer_id}/phones", number).status_code == 403
    assert client.submit(f"/customer-phones/{phone}/remove").status_code == 403
    assert count(admin, "customer_phones", tenant.id) == 1


def test_only_the_companys_office_finds_a_customer_by_their_other_numbers(
    database, make: Factory
) -> None:
    tenant = make.tenant()
    customer_id = make.customer(tenant.id, "Dana", "Reyes")
    phone_row(make, tenant.id, customer_id, number="+12175550142")
    email_row(make, tenant.id, customer_id, email="dana.work@example.com")
    other = make.tenant()
    # The customer page's other numbers are the office's (their select policies): a technician
    # of the company, or another company, finds nobody by them.
    searchers = {
        "office": make.member(tenant.id, "office"),
        "technician": make.member(tenant.id, "technician"),
        "other company": make.member(other.id, "owner"),
    }

    def found(member: Any, digits: str, text_: str) -> list[UUID]:
        with acting_as(database, claims_of(member)) as conn:
            rows = conn.execute(
                "select m as id from app.customer_ids_matching(%s, %s, %s, 50) m",
                [text_, digits, text_],
            ).fetchall()
        return [row["id"] for row in rows]

    by_number = {name: found(m, "%2175550142%", "%zzz%") for name, m in searchers.items()}
    by_email = {name: found(m, "%zzz%", "%dana.work@%") for name, m in searchers.items()}

    assert by_number == {"office": [customer_id], "technician": [], "other company": []}
    assert by_email == {"office": [customer_id], "technician": [], "other company": []}


def test_the_match_on_other_numbers_and_emails_is_an_index_lookup(admin, make: Factory) -> None:
    # The helper matches as the table owner, where LIKE may use the trigram indexes: with
    # sequential scans ruled out, each match still has a plan, through its index.
    tenant = make.tenant()
    customer_id = make.customer(tenant.id, "Dana", "Reyes")
    with admin.transaction(force_rollback=True):
        # A company with 20,000 of each: the company's id alone narrows nothing. (Written
        # without the audit log's triggers, which would seal each number for a minute.)
        admin.execute("set local session_replication_role = replica")
        admin.execute(
            "insert into public.customer_phones (tenant_id, customer_id, number)"
            " select %(t)s, %(c)s, '+1' || (2010000000 + (i::bigint * 7919 * 104729)"
            " %% 7000000000)::text"
            " from generate_series(0, 19999) i",
            {"t": tenant.id, "c": customer_id},
        )
        admin.execute(
            "insert into public.customer_emails (tenant_id, customer_id, email)"
            " select %(t)s, %(c)s, 'person' || i || '@example.com'"
            " from generate_series(0, 19999) i",
            {"t": tenant.id, "c": customer_id},
        )
        admin.execute("analyze public.customer_phones")
        admin.execute("analyze public.customer_emails")
        admin.execute("set local enable_seqscan = off")
        plans = {
            table: "\n".join(
                row["QUERY PLAN"]
                for row in admin.execute(
                    f"explain select customer_id from public.{table}"  # noqa: S608 (test)
                    f" where tenant_id = %s and {column} ilike %s",
                    [tenant.id, pattern],
                ).fetchall()
            )
            for table, column, pattern in (
                ("customer_phones", "number", "%2175550142%"),
                ("customer_emails", "email", "%dana.work@%"),
            )
        }
    assert "customer_phones_search_idx" in plans["customer_phones"]
    assert "customer_emails_search_idx" in plans["customer_emails"]


def test_a_caller_from_another_number_is_found_on_the_new_call_page_with_the_warning(
    client: Client, make: Factory
) -> None:
    tenant = signed_in(client, make, "dispatcher")
    customer_id = imported(make, tenant.id)
    make.property(tenant.id, customer_id, street="1 Elm St")
    phone_row(make, tenant.id, customer_id, kind="work", number="+12175550142")

    found = text(client.get("/calls/search", query_string={"q": "(217) 555-0142"}))

    assert "Dana Reyes" in found
    assert "Do not service</span> The company does not take work from Dana Reyes" in found
