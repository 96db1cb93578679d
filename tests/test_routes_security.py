"""Checks over every route of the URL map: CSRF (P-06), another tenant's ids (P-01), security
headers and cookie flags (P-06, P-20), and only essential cookies (P-19).

The routes are enumerated from `app.url_map`, so a new route is covered the day it lands; a
route whose URL variables these tests cannot fill fails with a message saying what to add."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, url_for
from psycopg import sql
from werkzeug.routing import Rule

from app import create_app, crypto
from app.integrations import files
from app.pricebook import transfer_file
from tests.conftest import Client, make_settings
from tests.factories import PASSWORD, Factory, Tenant
from tests.imports.support import make_import
from tests.lifecycle.purge_support import stored_certificate
from tests.portal.documents_support import sent_estimate, sent_invoice
from tests.portal.support import sign_in as portal_sign_in
from tests.requests.support import files_root, make_photo, make_privacy_request, make_request

if TYPE_CHECKING:  # imported only for the annotation: pytest would try to collect it
    from tests.conftest import TestDatabase

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_REFUSAL = "This form has expired"
NEW_YORK = ZoneInfo("America/New_York")  # the zone of companies made by the factories
TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
TEST_SECRET_KEY = "test-secret"  # SECRET_KEY of the tests' app (tests/conftest.py make_settings)

# Variables that are not ids of a company's rows, and why they need no cross-tenant check.
EXEMPT_VARIABLES = {
    # Capability links (invitation, password reset): the unguessable token *is* the
    # permission, like a Supabase magic link; it names no row an attacker could enumerate.
    # Unknown tokens are checked to be 410 below.
    "token": "capability link",
    # The app's own public CSS; no company data.
    "filename": "static file",
    # Stripe's and Twilio's webhooks: the unguessable per-company endpoint id, and the sender's
    # signature with that company's secret (tests/payments, tests/messaging/test_inbound*.py).
    "endpoint_id": "signed webhook",
    # An invitation addressed to the signed-in account's own email, from whichever company:
    # tests/tenancy/test_invitations.py shows that one for another address is 404.
    "my_invitation_id": "invitation to oneself",
    # A kind of message (app.messaging.templates.KINDS), the same words in every company; the
    # company's own wording is found by the signed-in member's company only
    # (tests/messaging/test_template_pages.py: an unknown kind is 404).
    "kind": "kind of message",
    # The portal's stylesheet of a company's colour: any colour, the same for everyone.
    "colour": "colour of a stylesheet",
    # A company's public booking page: the link it publishes on its website; the page shows
    # only the company's name and free times, and books for a new lead (tests/booking).
    "slug": "published booking page",
}


@dataclass
class World:
    """Two companies, A (signed in as its owner) and B, plus a third the owner could join."""

    make: Factory
    mine: Tenant
    theirs: Tenant
    side: Tenant  # the owner of A is an owner here too, so a forged switch would change things
    inviting: Tenant  # has an open invitation for the owner's address
    technicians: tuple[UUID, UUID]  # of A, free to be booked by the scheduling forms
    homeowner: UUID  # a customer of A, signed in to the portal in the owner's browser too
    neighbour: UUID  # another customer of A
    stranger: UUID  # a customer of B

    @property
    def owner_email(self) -> str:
        return self.mine.owner.email


Maker = Callable[[World, Tenant], Any]


def reset_token(world: World, tenant: Tenant) -> str:
    """A working password-reset link for the owner of `tenant`."""
    token = crypto.new_token()
    world.make.conn.execute(
        "insert into iam.password_resets (token_hash, account_id, expires_at) values (%s, %s, %s)",
        [crypto.token_hash(token), tenant.owner.account_id, datetime.now(UTC) + timedelta(hours=1)],
    )
    return token


def new_job(world: World, tenant: Tenant) -> UUID:
    return world.make.job(tenant.id, world.make.property(tenant.id, world.make.customer(tenant.id)))


def request_at_home(world: World, tenant: Tenant) -> UUID:
    """A homeowner's service request about one of their properties."""
    customer = world.make.customer(tenant.id)
    home = world.make.property(tenant.id, customer)
    return make_request(world.make.conn, tenant.id, customer, property_id=home)


def plan_home(world: World, tenant: Tenant) -> UUID:
    """One property per company for its maintenance plans, so that the plan form's values
    (form_data) can name the property of every plan made for the test."""
    found = world.make.conn.execute(
        "select id from public.properties where tenant_id = %s and street = '1 Plan Home Way'",
        [tenant.id],
    ).fetchone()
    if found is not None:
        return UUID(str(found["id"]))
    customer = world.make.customer(tenant.id)
    return world.make.property(tenant.id, customer, street="1 Plan Home Way")


def a_weekday_ahead(hour: int) -> datetime:
    """`hour` o'clock, company time, on a weekday about a month ahead (inside working hours)."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=30)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), NEW_YORK)


def invitation_to_the_owner(w: World) -> UUID:
    """The one open invitation of the inviting company to A's owner (one per address)."""
    row = w.make.conn.execute(
        "select id from public.invitations where tenant_id = %s and email = %s"
        " and accepted_at is null and revoked_at is null",
        (w.inviting.id, w.owner_email),
    ).fetchone()
    return row["id"] if row else w.make.invitation(w.inviting.id, email=w.owner_email)[0]


# URL variable → a factory making that object in the given company. Add one for each new id.
OBJECT_IN_TENANT: dict[str, Maker] = {
    "membership_id": lambda w, t: w.make.member(t.id, "technician").membership_id,
    "invitation_id": lambda w, t: w.make.invitation(t.id)[0],
    "my_invitation_id": lambda w, t: invitation_to_the_owner(w),
    "message_id": lambda w, t: w.make.outbox_message(t.id),
    # The audit history of a record: a new member's row (its insert is audited) in that company.
    "table": lambda w, t: "public.memberships",
    "row_key": lambda w, t: str(w.make.member(t.id, "technician").membership_id),
    "customer_id": lambda w, t: w.make.customer(t.id),
    "contact_id": lambda w, t: w.make.contact(t.id, w.make.customer(t.id)),
    "note_id": lambda w, t: w.make.note(t.id, w.make.customer(t.id)),
    "property_id": lambda w, t: w.make.property(t.id, w.make.customer(t.id)),
    "import_id": lambda w, t: make_import(w.make.conn, t.id),
    "equipment_id": lambda w, t: w.make.equipment(
        t.id, w.make.property(t.id, w.make.customer(t.id))
    ),
    "job_id": lambda w, t: new_job(w, t),
    # Scheduled a month ahead on a technician, so that dispatch, unschedule and cancel all act.
    "visit_id": lambda w, t: w.make.visit(
        t.id,
        new_job(w, t),
        a_weekday_ahead(9),
        technicians=(w.make.member(t.id, "technician").account_id,),
    ),
    "account_id": lambda w, t: w.make.member(t.id, "technician").account_id,
    "time_off_id": lambda w, t: w.make.time_off(
        t.id, w.make.member(t.id, "technician").account_id, a_weekday_ahead(8)
    ),
    "agreement_id": lambda w, t: w.make.agreement(t.id, plan_home(w, t)),
    # A package, so that the routes of its parts act too.
    "item_id": lambda w, t: w.make.price_item(t.id, "package", "3-ton system", "9800.00"),
    "part_id": lambda w, t: w.make.package_part(t.id),
    "category_id": lambda w, t: w.make.price_category(t.id),
    # A draft with a line, so that its builder's routes act (sending needs a line).
    "estimate_id": lambda w, t: draft_estimate(w, t)[0],
    "option_id": lambda w, t: draft_estimate(w, t)[1],
    "line_id": lambda w, t: draft_estimate(w, t)[2],
    "link_id": lambda w, t: estimate_link(w, t),
    # A name of its own each time: active rates' names are unique in a company.
    "tax_rate_id": lambda w, t: w.make.tax_rate(t.id, f"Tax {uuid4().hex[:8]}", "2.25"),
    # A draft with a line, so that its builder's routes act (sending needs a line).
    "invoice_id": lambda w, t: w.make.invoice(t.id, plan_home(w, t), lines=("10.00",)),
    "invoice_line_id": lambda w, t: w.make.invoice_line(
        t.id, w.make.invoice(t.id, plan_home(w, t))
    ),
    "invoice_link_id": lambda w, t: invoice_link(w, t),
    "conversation_id": lambda w, t: conversation(w, t),
    "campaign_id": lambda w, t: draft_campaign(w, t),
    "kind": lambda w, t: "on_my_way",  # a kind of message (exempt from the cross-tenant check)
    # A homeowner's service request about their home, so that it can become a job (its photo
    # is kept in the test app's files folder).
    "request_id": lambda w, t: request_at_home(w, t),
    "request_photo_id": lambda w, t: make_photo(
        w.make.conn, t.id, make_request(w.make.conn, t.id, w.make.customer(t.id))
    ),
    "privacy_request_id": lambda w, t: make_privacy_request(
        w.make.conn, t.id, w.make.customer(t.id)
    ),
    "slug": lambda w, t: booking_page(w, t),
    "booking_id": lambda w, t: booking_request(w, t),
    "export_id": lambda w, t: finished_export(w, t),
    # A deletion certificate is opened by its link only (tests/lifecycle/test_certificate_link.py).
    "certificate_id": lambda w, t: stored_certificate(w.make.conn, t.id),
    # A customer's other number and email (removing them acts).
    "phone_id": lambda w, t: other_number(w, t, "customer_phones", "number", "+12175550142"),
    "email_id": lambda w, t: other_number(w, t, "customer_emails", "email", "pat@example.com"),
}


def other_number(world: World, tenant: Tenant, table: str, column: str, value: str) -> UUID:
    """A new customer's other phone or email."""
    statement = sql.SQL(
        "insert into {} (tenant_id, customer_id, {}) values (%s, %s, %s) returning id"
    ).format(sql.Identifier("public", table), sql.Identifier(column))
    row = world.make.conn.execute(
        statement, [tenant.id, world.make.customer(tenant.id), value]
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def finished_export(world: World, tenant: Tenant) -> UUID:
    """A company export ready to download, its zip in the test app's files folder."""
    row = world.make.conn.execute(
        "insert into public.company_exports (tenant_id, id, status, storage_key, byte_size,"
        " finished_at, expires_at) select %(t)s, i, 'done', %(t)s || '/exports/' || i || '.zip',"
        " 22, now(), now() + interval '7 days' from gen_random_uuid() i returning id",
        {"t": tenant.id},
    ).fetchone()
    assert row is not None
    store = files.LocalFolderFiles(files_root(world.make.conn))
    store.put(files.export_key(tenant.id, row["id"]), b"PK\x05\x06" + bytes(18), "application/zip")
    return UUID(str(row["id"]))


def booking_page(world: World, tenant: Tenant) -> str:
    """The company's public booking page, turned on."""
    row = world.make.conn.execute(
        "update public.online_booking_settings set public_page = true where tenant_id = %s"
        " returning slug",
        [tenant.id],
    ).fetchone()
    assert row is not None
    return str(row["slug"])


def booking_request(world: World, tenant: Tenant) -> UUID:
    """A booking request waiting for the office (its visit unscheduled until confirmed)."""
    job = new_job(world, tenant)
    starts = a_weekday_ahead(10)
    row = world.make.conn.execute(
        "insert into public.online_bookings (tenant_id, visit_id, job_id, customer_id, source,"
        " requested_starts_at, requested_ends_at, status)"
        " select j.tenant_id, %s, j.id, j.customer_id, 'public', %s, %s, 'awaiting'"
        " from public.jobs j where j.id = %s returning id",
        [world.make.visit(tenant.id, job), starts, starts + timedelta(hours=2), job],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def conversation(world: World, tenant: Tenant) -> UUID:
    """A conversation with a number the company does not know yet (as an inbound text starts
    it), so that attaching it to a customer acts."""
    row = world.make.conn.execute(
        "insert into public.conversations (tenant_id, phone) values (%s, %s) returning id",
        [tenant.id, "+1555" + str(uuid4().int % 10**7).zfill(7)],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def draft_campaign(world: World, tenant: Tenant) -> UUID:
    row = world.make.conn.execute(
        "insert into public.campaigns (tenant_id, name, audience, channel, sms_body)"
        " values (%s, 'Tune-up reminder', 'tune_up_due', 'sms', 'Your tune-up is due.')"
        " returning id",
        [tenant.id],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def estimate_link(world: World, tenant: Tenant) -> UUID:
    """A link of a draft estimate (made as the owner would: its hash only)."""
    row = world.make.conn.execute(
        "insert into public.estimate_links (tenant_id, estimate_id, token_hash)"
        " values (%s, %s, extensions.gen_random_bytes(32)) returning id",
        [tenant.id, draft_estimate(world, tenant)[0]],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def invoice_link(world: World, tenant: Tenant) -> UUID:
    """An open link of a sent invoice (made as the owner would: its hash only)."""
    invoice = world.make.invoice(tenant.id, plan_home(world, tenant), lines=("10.00",))
    row = world.make.conn.execute(
        "insert into public.invoice_links (tenant_id, invoice_id, token_hash)"
        " values (%s, %s, extensions.gen_random_bytes(32)) returning id",
        [tenant.id, invoice],
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def draft_estimate(world: World, tenant: Tenant) -> tuple[UUID, UUID, UUID]:
    """A draft estimate with one option holding one line (ids of the three)."""
    estimate = world.make.estimate(tenant.id, plan_home(world, tenant))
    option = world.make.estimate_option(tenant.id, estimate)
    line = world.make.conn.execute(
        "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
        " quantity, unit_price) values (%s, %s, %s, 'Part', 1, 10) returning id",
        [tenant.id, estimate, option],
    ).fetchone()
    assert line is not None
    return estimate, option, line["id"]


# Token routes, for the CSRF check: a token that would work, so that a forged POST would act.
WORKING_TOKEN: dict[str, Maker] = {
    "tenancy.invitation": lambda w, t: w.make.invitation(
        w.inviting.id, email=w.owner_email, role="admin"
    )[1],
    "auth.reset_password": reset_token,
}


def form_data(world: World) -> dict[str, str]:
    """Values that make every form of the app valid, so a request would act if let through."""
    return {
        "email": "forged@example.com",
        "password": "a brand new passphrase",
        "current_password": PASSWORD,
        "new_password": "a brand new passphrase",
        "full_name": "Forged Name",
        "company_name": "Forged Company",
        "time_zone": "America/New_York",
        "currency": "EUR",
        "role": "admin",
        "tenant_id": str(world.side.id),
        "code": "123456",
        "first_name": "Forged",
        "body": "Forged note",
        "street": "1 Forged Way",
        "city": "Forgedville",
        "equipment_kind": "furnace",
        "job_kind": "repair",
        "summary": "Forged job",
        "priority": "normal",
        "cancel_reason": "Forged reason",
        "name": "Forged plan",
        # The price book: an item's form, and a part added to a package.
        "price": "12.00",
        "unit": "each",
        "part": str(world.make.price_item(world.mine.id, "material", "Forged part", "1.00")),
        "quantity": "1",
        # An estimate's forms: its own, a new option, a line by hand and one from the book.
        "title": "Forged estimate",
        "valid_until": (datetime.now(UTC).date() + timedelta(days=10)).isoformat(),
        "new-option-name": "Forged option",
        "description": "Forged line",
        "unit_price": "10.00",
        "o0-line-description": "Forged line",
        "o0-line-quantity": "1",
        "o0-line-unit": "each",
        "o0-line-unit_price": "10.00",
        "o0-item-item": str(world.make.price_item(world.mine.id, "service", "Forged", "1.00")),
        "o0-item-item_quantity": "1",
        # A tax rate's form (its name is "name" above).
        "percent": "6.25",
        # A message template's wording, and the messaging settings' timing.
        "sms_body": "Forged {first_name}",
        "email_subject": "Forged",
        "email_body": "Forged",
        "enabled": "0",
        "sms_per_second": "1",
        "reminder_time": "17:00",
        "estimate_follow_up_days": "3",
        "invoice_overdue_days": "7",
        "review_every_months": "12",
        "review_delay_hours": "2",
        # The price book's import confirmation: a file its preview signed for company A.
        "book_file": transfer_file.sign(
            "name,price\nForged import,1.00\n", "forged.csv", world.mine.id, TEST_SECRET_KEY
        ),
        "months": "4",
        "property_id": str(plan_home(world, world.mine)),
        "starts_on": "2030-01-07",
        "ends_on": "2030-01-08",
        "duration_minutes": "60",
        # The board books one technician, the schedule form a list: one each, so the two
        # bookings at the same hour do not clash.
        "technician_id": str(world.technicians[0]),
        "technician_ids": str(world.technicians[1]),
        "day": a_weekday_ahead(13).date().isoformat(),
        "start": "13:00",
        "window_hours": "2",
        # The New call page's Schedule form (prefixed): the same technician later that day.
        "call-duration_minutes": "60",
        "call-technician_ids": str(world.technicians[1]),
        "call-day": a_weekday_ahead(15).date().isoformat(),
        "call-start": "15:00",
        "call-window_hours": "2",
        # An invoice's forms: its own, a line by hand and one from the book, a payment, voiding.
        "terms": "net_15",
        "issued_on": datetime.now(NEW_YORK).date().isoformat(),
        "bill_to_name": "Forged Customer",
        "line-description": "Forged line",
        "line-quantity": "1",
        "line-unit": "each",
        "line-unit_price": "10.00",
        "item-item": str(world.make.price_item(world.mine.id, "service", "Forged", "1.00")),
        "item-item_quantity": "1",
        "amount": "1.00",
        "method": "cash",
        # A customer's (or contact's) other number and email.
        "number": "(217) 555-0188",
        "other_email": "forged.other@example.com",
        "received_on": datetime.now(NEW_YORK).date().isoformat(),
        "void_reason": "Forged reason",
        # A pin placed by hand on a property.
        "latitude": "42.2848",
        "longitude": "-71.7205",
        # A text conversation attached to one of company A's customers.
        "attach_customer": str(world.make.customer(world.mine.id)),
        # A campaign's forms (its name and wording are above) and when it goes.
        "audience": "tune_up_due",
        "channel": "sms",
        "per_minute": "60",
        # A privacy request's answer.
        "outcome": "done",
        "answer": "Forged answer",
        # A company export with the gate codes (an owner's choice).
        "include_access_notes": "y",
    }


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def url(app: Flask, rule: Rule, values: dict[str, Any]) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def snapshot(admin) -> dict[str, str]:
    """Row count and digest of every table the app can reach, to prove nothing changed."""
    tables = admin.execute(
        "select schemaname, tablename from pg_tables"
        " where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2"
    ).fetchall()
    digests = {}
    for table in tables:
        row = admin.execute(
            sql.SQL(
                "select count(*) as n,"
                " md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as digest"
                " from {} t"
            ).format(sql.Identifier(table["schemaname"], table["tablename"]))
        ).fetchone()
        digests[f"{table['schemaname']}.{table['tablename']}"] = f"{row['n']}:{row['digest']}"
    return digests


def shown_company(client) -> str | None:
    match = re.search(
        r'<span class="company" title="Your company">([^<]*)</span>', html(client.get("/"))
    )
    return match.group(1) if match else None


@pytest.fixture
def world(make: Factory) -> World:
    mine, theirs = make.tenant("Alpha Air"), make.tenant("Beta Boilers")
    side, inviting = make.tenant("Side Co"), make.tenant("Inviting Co")
    make.member(side.id, "owner", account_id=mine.owner.account_id)
    technicians = (
        make.member(mine.id, "technician").account_id,
        make.member(mine.id, "technician").account_id,
    )
    homeowner = make.customer(mine.id, "Homer", email="homer@example.com")
    neighbour = make.customer(mine.id, "Nell", email="nell@example.com")
    stranger = make.customer(theirs.id, "Stan", email="stan@example.com")
    return World(make, mine, theirs, side, inviting, technicians, homeowner, neighbour, stranger)


@pytest.fixture
def owner(app: Flask, world: World) -> Client:
    """A's owner, whose browser is also signed in to A's portal as A's homeowner (so that a
    forged portal request would act, and the portal's pages are walked too)."""
    signed_in: Client = app.test_client()  # type: ignore[assignment]
    signed_in.sign_in(world.owner_email)
    portal_sign_in(signed_in, world.make.conn, world.mine.id, world.homeowner)
    return signed_in


# --- a) CSRF --------------------------------------------------------------------------------


# Routes whose own-id control needs more than an id (tests/estimates/test_links.py,
# tests/estimates/test_pdf.py, tests/estimates/test_photos.py, tests/invoices/test_links.py and
# tests/payments/test_invoice_links.py run both checks on them): the homeowner's estimate and
# invoice pages (and their PDFs, an estimate's photos, paying by link) open only in the browser
# that opened the document's link (any other browser, of any company, gets 404), and an
# approval's signature exists only after an approval by link.
HOMEOWNER_LINK_PAGES = {
    "estimates.for_customer",
    "estimates.customer_pdf",
    "estimates.customer_photo",
    "estimates.approve_by_link",
    "estimates.decline_by_link",
    "estimates.signature",
    "invoices.for_customer",
    "invoices.customer_pdf",
    "estimates.pay_deposit",
    "invoices.pay",
    "messaging.visit_for_customer",
    # A purged company's deletion certificate, for its former owners: likewise only in the
    # browser that opened its link (tests/lifecycle/test_certificate_link.py).
    "certificates.view",
    "certificates.download",
}


# Webhooks carry no session or CSRF token: the sender's signature stands for both
# (tests/payments/test_stripe.py: a missing, bad or stale signature is a 400 and changes nothing).
# Twilio's (tests/messaging/test_inbound*.py: unsigned, mis-signed or unknown endpoint is a 403).
SIGNED_WEBHOOKS = {"payments.webhook", "messaging.twilio_inbound", "messaging.twilio_status"}

# A marketing email's one-click unsubscribe (RFC 8058): mail clients POST to the link with no
# session or CSRF token; the unguessable token is the permission and can only withdraw that
# customer's consent (tests/messaging/test_unsubscribe.py; unknown tokens are 410 below).
ONE_CLICK_LINKS = {"messaging.unsubscribe_now"}


def _checked_elsewhere(rule: Rule) -> bool:
    """The technician's phone pages need a technician signed in: tests/technician/
    test_route_checks.py runs the CSRF and cross-tenant checks over each of them (the
    calendar feed's token route stays here). The homeowner's link pages: above."""
    if rule.endpoint in HOMEOWNER_LINK_PAGES | SIGNED_WEBHOOKS | ONE_CLICK_LINKS:
        return True
    return rule.endpoint.startswith("technician.") and "token" not in rule.arguments


def _is_portal(rule: Rule) -> bool:
    """A page of the homeowner's portal: its ids are a customer's (section e below)."""
    return rule.rule == "/portal" or rule.rule.startswith("/portal/")


def _values_for_forged_request(world: World, rule: Rule) -> dict[str, Any] | str:
    """URL values for `rule` naming company A's own objects, or why they cannot be made."""
    values: dict[str, Any] = {}
    for name in sorted(rule.arguments):
        if name == "token" and rule.endpoint in WORKING_TOKEN:
            values[name] = WORKING_TOKEN[rule.endpoint](world, world.mine)
        elif _is_portal(rule) and name not in EXEMPT_VARIABLES:
            # The signed-in homeowner's own objects: the owner's browser is theirs too.
            if name not in PORTAL_OBJECT:
                return _no_portal_object(rule, name)
            values[name] = PORTAL_OBJECT[name](world.make, world.mine.id, world.homeowner)
        elif name in OBJECT_IN_TENANT:
            values[name] = OBJECT_IN_TENANT[name](world, world.mine)
        else:
            return (
                f"{rule.rule}: cannot fill <{name}>; add a factory to OBJECT_IN_TENANT"
                " (or WORKING_TOKEN for a token route)"
            )
    return values


@pytest.mark.promise("P-06")
def test_every_unsafe_route_refuses_a_request_without_a_valid_csrf_token(
    app: Flask, admin, world: World, owner: Client
):
    other_session: Client = app.test_client()  # type: ignore[assignment]
    foreign_token = other_session.csrf_token()
    assert shown_company(owner) == "Alpha Air"
    problems: list[str] = []
    checked = 0
    for rule in rules(app):
        if _checked_elsewhere(rule):
            continue
        for method in sorted((rule.methods or set()) & UNSAFE_METHODS):
            values = _values_for_forged_request(world, rule)
            if isinstance(values, str):
                problems.append(values)
                continue
            target = url(app, rule, values)
            for label, token in (("no token", None), ("another session's token", foreign_token)):
                data = form_data(world) | ({"csrf_token": token} if token else {})
                before = snapshot(admin)
                response = owner.open(target, method=method, data=data)
                checked += 1
                if response.status_code != 400 or CSRF_REFUSAL not in html(response):
                    problems.append(f"{method} {target} ({label}): {response.status_code}")
                if snapshot(admin) != before:
                    problems.append(f"{method} {target} ({label}) changed the database")
                if shown_company(owner) != "Alpha Air":
                    problems.append(f"{method} {target} ({label}) changed the session")
    assert not problems, "\n".join(problems)
    assert checked >= 2 * 14  # the app's forms today; fewer means routes went missing


@pytest.mark.promise("P-06")
def test_the_database_snapshot_sees_a_genuine_change(admin, world: World, owner: Client):
    """Control for the test above: the same kind of request, with its token, does change data."""
    target = world.make.member(world.mine.id, "technician")
    before = snapshot(admin)

    response = owner.submit(f"/team/members/{target.membership_id}/remove")

    assert response.status_code == 302
    assert snapshot(admin) != before


# --- b) another tenant's ids ------------------------------------------------------------------


def _id_routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in rules(app):
        if (
            not rule.arguments
            or rule.arguments & EXEMPT_VARIABLES.keys()
            or _checked_elsewhere(rule)
            or _is_portal(rule)  # a homeowner's: test_another_customers_ids_are_404_…
        ):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _request(client: Client, method: str, target: str, data: dict[str, str]) -> Any:
    if method in UNSAFE_METHODS:
        return client.open(target, method=method, data={"csrf_token": client.csrf_token(), **data})
    return client.open(target, method=method)


def _values_in(world: World, rule: Rule, tenant: Tenant) -> dict[str, Any]:
    missing = sorted(rule.arguments - OBJECT_IN_TENANT.keys())
    assert not missing, (
        f"{rule.rule}: add a factory for <{missing[0]}> to OBJECT_IN_TENANT, so that the"
        " cross-tenant check covers this route"
    )
    return {name: OBJECT_IN_TENANT[name](world, tenant) for name in rule.arguments}


@pytest.mark.promise("P-01")
def test_another_companys_ids_are_404_on_every_route(
    app: Flask, admin, world: World, owner: Client
):
    problems: list[str] = []
    checked = 0
    for rule, method in _id_routes(app):
        data = form_data(world) | {"tenant_id": str(world.mine.id)}
        foreign = url(app, rule, _values_in(world, rule, world.theirs))
        before = snapshot(admin)
        response = _request(owner, method, foreign, data)
        checked += 1
        if response.status_code != 404:
            problems.append(f"{method} {foreign} (company B's id): {response.status_code}")
        if world.theirs.name in html(response):
            problems.append(f"{method} {foreign} shows company B's name")
        if snapshot(admin) != before:
            problems.append(f"{method} {foreign} (company B's id) changed the database")
        # Control: the same request with company A's own id works, so the 404 means "not yours".
        own = url(app, rule, _values_in(world, rule, world.mine))
        control = _request(owner, method, own, data)
        if control.status_code not in (200, 302):
            problems.append(f"{method} {own} (own id): {control.status_code}, expected 200/302")
    assert not problems, "\n".join(problems)
    assert checked >= 4  # revoke, change role, remove, outbox message today


@pytest.mark.promise("P-01")
def test_a_well_formed_id_that_exists_nowhere_is_404(app: Flask, world: World, owner: Client):
    for rule, method in _id_routes(app):
        target = url(app, rule, dict.fromkeys(rule.arguments, UUID(int=12345)))
        response = _request(owner, method, target, form_data(world))
        assert response.status_code == 404, f"{method} {target}"


@pytest.mark.promise("P-01")
def test_unknown_tokens_are_410_on_every_token_route(app: Flask, world: World, owner: Client):
    anonymous: Client = app.test_client()  # type: ignore[assignment]
    token_rules = [r for r in rules(app) if "token" in r.arguments]
    assert token_rules
    for rule in token_rules:
        target = url(app, rule, {"token": crypto.new_token()})
        for client in (anonymous, owner):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = _request(client, method, target, form_data(world))
                assert response.status_code == 410, f"{method} {target}"


# --- e) the homeowner's portal ----------------------------------------------------------------


def _portal_page(rule: Rule) -> bool:
    """A portal page naming a row: the signed-in homeowner's, checked below with homeowners."""
    return _is_portal(rule) and bool(rule.arguments - EXEMPT_VARIABLES.keys())


PortalMaker = Callable[[Factory, UUID, UUID], UUID]


def portal_visit(make: Factory, tenant_id: UUID, customer: UUID) -> UUID:
    """A visit of the customer a month ahead, with no technician (so that moving it acts)."""
    job = make.job(tenant_id, make.property(tenant_id, customer))
    return make.visit(tenant_id, job, a_weekday_ahead(9))


def portal_home(make: Factory, tenant_id: UUID, customer: UUID) -> UUID:
    """A new property of the customer."""
    return make.property(tenant_id, customer, street=f"{uuid4().int % 900 + 100} Home Rd")


# URL variable of a portal page → a factory making that row for a customer (make, company,
# customer), in the state the portal shows it (an estimate or invoice once sent). Add one for
# each new id a portal page takes: the checks below open it as its customer (the control), as
# another customer of the same company and as a customer of another company.
PORTAL_OBJECT: dict[str, PortalMaker] = {
    "visit_id": portal_visit,
    "estimate_id": sent_estimate,
    "invoice_id": sent_invoice,
    "property_id": portal_home,
    "equipment_id": lambda make, t, c: make.equipment(t, portal_home(make, t, c)),
    "job_id": lambda make, t, c: make.job(t, portal_home(make, t, c)),
    "agreement_id": lambda make, t, c: make.agreement(t, portal_home(make, t, c)),
    "request_id": lambda make, tenant_id, customer: make_request(make.conn, tenant_id, customer),
    "request_photo_id": lambda make, tenant_id, customer: make_photo(
        make.conn, tenant_id, make_request(make.conn, tenant_id, customer)
    ),
}


def a_window_next_week() -> str:
    """10:00 company time on a weekday about a week ahead, as a window's radio button posts it:
    inside the company's online-booking horizon (two weeks), its technicians free then."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=7)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    starts = datetime.combine(day, time(10), NEW_YORK)
    return starts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# What makes a portal form act (moving a visit to a window next week; a request's reply).
PORTAL_FORM = {
    "window": a_window_next_week(),
    "reason": "Away",
    "body": "Still cold.",
}


def _no_portal_object(rule: Rule, name: str) -> str:
    return (
        f"{rule.rule}: add a factory for <{name}> to PORTAL_OBJECT (a row of the given"
        " customer), so that the portal checks cover this route, or to EXEMPT_VARIABLES if it"
        " names no row"
    )


# Portal routes open without a portal session, and why.
PORTAL_BEFORE_SIGN_IN = {
    "portal.sign_in": "the portal's sign-in page itself",
    "portal.brand_css": "a stylesheet of any colour: no company's data",
    # The emailed or texted link's own page: the link's token, kept in this browser's session
    # by portal.sign_in_link, is the permission; without it the page is 410
    # (tests/portal/test_sign_in.py).
    "portal.use_sign_in_link": "a sign-in link's page",
    # The colour-scheme preference (P-19): this browser's cookie, no company's data.
    "portal.choose_scheme": "this browser's colour scheme",
}


def _portal_rules(app: Flask) -> list[Rule]:
    return [rule for rule in rules(app) if _is_portal(rule)]


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _homeowner_values(world: World, rule: Rule, customer: UUID) -> dict[str, Any] | str:
    """URL values naming objects of the customer (of A), or what to add to make them."""
    values: dict[str, Any] = {}
    for name in sorted(rule.arguments):
        if name in EXEMPT_VARIABLES and name in OBJECT_IN_TENANT:
            values[name] = OBJECT_IN_TENANT[name](world, world.mine)
        elif name not in PORTAL_OBJECT:
            return _no_portal_object(rule, name)
        else:
            values[name] = PORTAL_OBJECT[name](world.make, world.mine.id, customer)
    return values


def portal_client(app: Flask, world: World, tenant: Tenant, customer: UUID) -> Client:
    """A browser signed in to the portal as the customer (and to nothing else)."""
    client: Client = app.test_client()  # type: ignore[assignment]
    portal_sign_in(client, world.make.conn, tenant.id, customer)
    return client


def portal_id_problems(app: Flask, admin: Any, world: World) -> tuple[list[str], int]:
    """Every portal route with an id, opened with A's homeowner's object by another customer of
    A and by a customer of B (404, nothing changed), with an id that exists nowhere (404), and
    by the homeowner (the control: 200, or a redirect after a form)."""
    homeowner = portal_client(app, world, world.mine, world.homeowner)
    others = {
        "another customer of the same company": portal_client(
            app, world, world.mine, world.neighbour
        ),
        "a customer of another company": portal_client(app, world, world.theirs, world.stranger),
    }
    problems: list[str] = []
    checked = 0
    for rule in filter(_portal_page, _portal_rules(app)):
        for method in _methods(rule):
            values = _homeowner_values(world, rule, world.homeowner)
            if isinstance(values, str):
                problems.append(values)
                continue
            target, data = url(app, rule, values), PORTAL_FORM
            for label, client in others.items():
                before = snapshot(admin)
                response = _request(client, method, target, data)
                checked += 1
                if response.status_code != 404:
                    problems.append(f"{method} {target} ({label}): {response.status_code}")
                if snapshot(admin) != before:
                    problems.append(f"{method} {target} ({label}) changed the database")
            ids = rule.arguments - EXEMPT_VARIABLES.keys()
            nowhere = url(app, rule, values | dict.fromkeys(ids, UUID(int=12345)))
            if _request(homeowner, method, nowhere, data).status_code != 404:
                problems.append(f"{method} {nowhere} (an id that exists nowhere): not 404")
            control = _request(homeowner, method, target, data)
            if control.status_code not in ((200,) if method == "GET" else (200, 302, 303)):
                problems.append(f"{method} {target} (its homeowner): {control.status_code}")
    return problems, checked


def portal_sign_in_problems(app: Flask, world: World) -> list[str]:
    """Every portal route but those of PORTAL_BEFORE_SIGN_IN and token links, opened without a
    portal session (anonymously, and as A's owner: staff are no homeowner), is sent to the
    portal's sign-in."""
    anonymous: Client = app.test_client()  # type: ignore[assignment]
    staff: Client = app.test_client()  # type: ignore[assignment]
    staff.sign_in(world.owner_email)
    problems: list[str] = []
    for rule in _portal_rules(app):
        if rule.endpoint in PORTAL_BEFORE_SIGN_IN or "token" in rule.arguments:
            continue
        values = _homeowner_values(world, rule, world.homeowner)
        if isinstance(values, str):
            problems.append(values)
            continue
        target = url(app, rule, values)
        for method in _methods(rule):
            for label, client in (("no session", anonymous), ("staff session", staff)):
                response = _request(client, method, target, form_data(world))
                location = response.headers.get("Location", "")
                if response.status_code not in (302, 303) or not location.startswith(
                    "/portal/sign-in"
                ):
                    problems.append(
                        f"{method} {target} ({label}): {response.status_code} {location},"
                        " expected a redirect to /portal/sign-in (or add it to"
                        " PORTAL_BEFORE_SIGN_IN, saying why)"
                    )
    return problems


@pytest.mark.promise("P-02")
def test_another_customers_ids_are_404_on_every_portal_page(app: Flask, admin, world: World):
    problems, checked = portal_id_problems(app, admin, world)
    assert not problems, "\n".join(problems)
    assert checked >= 2 * 5  # a visit, moving and canceling it, opening an estimate, an invoice


@pytest.mark.promise("P-02")
def test_every_portal_page_needs_a_portal_session(app: Flask, world: World):
    assert "portal.home" in {rule.endpoint for rule in _portal_rules(app)}
    problems = portal_sign_in_problems(app, world)
    assert not problems, "\n".join(problems)


def test_portal_routes_are_in_the_csrf_check(app: Flask):
    """The CSRF check above runs over every route, the portal's too (with the owner's browser
    signed in to the portal as A's homeowner, so that a forged request would act)."""
    unsafe = [r for r in _portal_rules(app) if (r.methods or set()) & UNSAFE_METHODS]
    assert "portal.sign_out" in {r.endpoint for r in unsafe}
    assert not [r for r in unsafe if _checked_elsewhere(r)]


def made_up_portal_routes(app: Flask) -> None:
    """Three portal pages for the control below: one that finds a visit as the homeowner (the
    database's policies decide), one that shows any id, one without @portal_required."""
    from flask import abort

    from app import db
    from app.portal import portal_required

    @portal_required
    def good(visit_id: UUID) -> str:
        if db.one("select id from public.visits where id = %(id)s", {"id": visit_id}) is None:
            abort(404)
        return "A visit"

    @portal_required
    def leaky(visit_id: UUID) -> str:
        return f"Visit {visit_id}"

    def open_page() -> str:
        return "Anyone"

    app.add_url_rule("/portal/made-up/good/<uuid:visit_id>", "portal.made_up_good", good)
    app.add_url_rule("/portal/made-up/leaky/<uuid:visit_id>", "portal.made_up_leaky", leaky)
    app.add_url_rule("/portal/made-up/open", "portal.made_up_open", open_page)


@pytest.mark.promise("P-02")
def test_the_portal_checks_catch_a_leaky_or_open_portal_page(app: Flask, admin, world: World):
    made_up_portal_routes(app)  # before the app's first request

    problems, checked = portal_id_problems(app, admin, world)
    unsigned = portal_sign_in_problems(app, world)

    assert checked >= 4
    assert [p.split(" (")[1] for p in problems] == [
        "another customer of the same company): 200",
        "a customer of another company): 200",
        "an id that exists nowhere): not 404",
    ]
    assert all("/portal/made-up/leaky/" in p for p in problems)
    made_up = [p for p in unsigned if "/portal/made-up/" in p]
    assert len(made_up) == 2
    assert all(p.startswith("GET /portal/made-up/open") for p in made_up)


# --- c) headers, cookie flags, templates -----------------------------------------------------


def _get_routes(app: Flask) -> list[str]:
    """Every GET route without URL variables."""
    return [
        url(app, rule, {})
        for rule in rules(app)
        if "GET" in (rule.methods or set()) and not rule.arguments
    ]


def _walk(app: Flask, world: World, owner: Client) -> list[tuple[str, Any]]:
    """Responses of the whole app: every plain GET route anonymously and signed in, and the
    pages with ids, tokens and every kind of refusal."""
    anonymous: Client = app.test_client()  # type: ignore[assignment]
    technician: Client = app.test_client()  # type: ignore[assignment]
    technician.sign_in(world.make.member(world.mine.id, "technician").email)
    message = world.make.outbox_message(world.mine.id)
    _, invitation_token = world.make.invitation(world.mine.id)
    place = world.make.property(world.mine.id, world.make.customer(world.mine.id))
    world.make.equipment(world.mine.id, place)
    seen: list[tuple[str, Any]] = []
    for path in _get_routes(app):
        seen.append((f"anonymous GET {path}", anonymous.get(path)))
        seen.append((f"owner GET {path}", owner.get(path)))
    seen += [
        ("invitation page", anonymous.get(f"/invitations/{invitation_token}")),
        ("outbox message", owner.get(f"/outbox/{message}")),
        ("property page", owner.get(f"/properties/{place}")),
        ("410", anonymous.get(f"/invitations/{crypto.new_token()}")),
        ("404", owner.get("/no-such-page")),
        ("403", technician.get("/team")),
        ("405", owner.get("/sign-out")),
        ("400", owner.post("/team/invitations", data={"email": "x@example.com"})),
        ("422", owner.submit("/team/invitations", {"email": "nope", "role": "admin"})),
        ("401", anonymous.submit("/sign-in", {"email": "a@example.com", "password": "wrong"})),
    ]
    return seen


def _csp_directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.promise("P-06")
def test_every_response_carries_the_security_headers(app: Flask, world: World, owner: Client):
    problems: list[str] = []
    walk = _walk(app, world, owner)
    assert {"404", "403", "410", "422"} <= {label for label, _ in walk}
    html_pages = 0
    for label, response in walk:
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        directives = _csp_directives(csp)
        if not csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append(f"{label}: Content-Security-Policy {csp!r}")
        for directive, wanted in (
            ("default-src", "'self'"),
            ("script-src", "'self'"),
            ("style-src", "'self'"),
            ("object-src", "'none'"),
            ("frame-ancestors", "'none'"),
        ):
            if directives.get(directive) != [wanted]:
                problems.append(f"{label}: CSP {directive} is {directives.get(directive)}")
        for name, value in (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")):
            if headers.get(name) != value:
                problems.append(f"{label}: {name} is {headers.get(name)!r}")
        if headers.get("Referrer-Policy") not in (
            "same-origin",
            "strict-origin-when-cross-origin",
            "no-referrer",
        ):
            problems.append(f"{label}: Referrer-Policy is {headers.get('Referrer-Policy')!r}")
        if "Strict-Transport-Security" in headers:
            problems.append(f"{label}: HSTS outside production")
        if response.mimetype == "text/html":
            html_pages += 1
            problems += [f"{label}: {p}" for p in _inline_code(html(response))]
    assert not problems, "\n".join(problems)
    assert html_pages >= 20


def _set_cookies(response: Any) -> dict[str, str]:
    """name → the full Set-Cookie header, for every cookie the response sets."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        found[header.split("=", 1)[0].strip()] = header
    return found


def _flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


@pytest.mark.promise("P-06")
def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask, world: World):
    client: Client = app.test_client()  # type: ignore[assignment]

    response = client.sign_in(world.owner_email)

    cookie = _set_cookies(response)[app.config["SESSION_COOKIE_NAME"]]
    assert "httponly" in _flags(cookie)
    assert "samesite=lax" in _flags(cookie)
    assert "secure" not in _flags(cookie)  # plain http in development and tests


@pytest.fixture
def production_app(database: TestDatabase) -> Iterator[Flask]:
    application = create_app(
        make_settings(database, env="production", public_url="https://plenum.test")
    )
    application.test_client_class = Client
    yield application
    application.extensions["plenum.pool"].close()


HTTPS = "https://plenum.test"


@pytest.mark.promise("P-06")
@pytest.mark.promise("P-20")
def test_production_sessions_are_secure_and_https_only(production_app: Flask, world: World):
    client = production_app.test_client()

    page = client.get("/sign-in", base_url=HTTPS)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html(page))
    assert token is not None
    signed_in = client.post(
        "/sign-in",
        base_url=HTTPS,
        headers={"Referer": f"{HTTPS}/sign-in"},
        data={"csrf_token": token.group(1), "email": world.owner_email, "password": PASSWORD},
    )

    assert signed_in.status_code == 302
    cookie = _set_cookies(signed_in)[production_app.config["SESSION_COOKIE_NAME"]]
    assert {"secure", "httponly", "samesite=lax"} <= _flags(cookie)
    for response in (page, signed_in, client.get("/", base_url=HTTPS)):
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts), hsts
        assert int(hsts.split("=")[1].split(";")[0]) >= 31536000  # a year at least
    assert "Alpha Air" in html(client.get("/", base_url=HTTPS))


@pytest.mark.promise("P-20")
def test_production_redirects_plain_http_to_https(production_app: Flask, world: World):
    client = production_app.test_client()

    for path in ("/", "/sign-in", "/team?page=2"):
        response = client.get(path, base_url="http://plenum.test")
        assert response.status_code in (301, 308), path
        assert response.headers["Location"] == f"{HTTPS}{path}"
    posted = client.post(
        "/sign-in",
        base_url="http://plenum.test",
        data={"email": world.owner_email, "password": PASSWORD},
    )
    # Redirected before anything else runs (CSRF check, sign-in): no session is started.
    assert posted.status_code == 308
    assert posted.headers["Location"] == f"{HTTPS}/sign-in"
    assert not _set_cookies(posted)
    # Behind the platform's proxy, which terminated TLS and says so in X-Forwarded-Proto.
    proxied = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    # The platform's health check probes the machine directly, over plain http.
    assert client.get("/healthz", base_url="http://plenum.test").status_code == 200


INLINE_CODE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "on*= handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def _inline_code(text: str) -> list[str]:
    return [
        f"{what}: {m.group(0)!r}"
        for what, pattern in INLINE_CODE.items()
        for m in pattern.finditer(text)
    ]


@pytest.mark.promise("P-06")
def test_no_template_contains_inline_script_or_style():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) >= 15
    problems = [
        f"{path.relative_to(TEMPLATES)}: {p}"
        for path in templates
        for p in _inline_code(path.read_text())
    ]
    assert not problems, "\n".join(problems)


def test_the_inline_code_scan_can_fail():
    for snippet in (
        "<script>alert(1)</script>",
        '<p style="color:red">',
        "<a onclick='x()'>",
        "<style>p{}</style>",
        '<a href="javascript:x()">',
    ):
        assert _inline_code(snippet), snippet
    assert not _inline_code('<script src="/static/app.js"></script><p class="x">')


# --- d) only essential cookies ---------------------------------------------------------------


# Besides the session, only the portal's colour-scheme preference (functional, nothing that
# tracks: app/portal/scheme.py).
PREFERENCE_COOKIE = "plenum_scheme"


@pytest.mark.promise("P-19")
def test_the_only_cookie_ever_set_is_the_session_cookie(app: Flask, world: World):
    anonymous: Client = app.test_client()  # type: ignore[assignment]
    names: dict[str, str] = {}
    routes = _get_routes(app)
    for path in routes:
        names |= {n: f"anonymous GET {path}" for n in _set_cookies(anonymous.get(path))}
    signing_in = anonymous.sign_in(world.owner_email)
    names |= {n: "sign in" for n in _set_cookies(signing_in)}
    for path in routes:
        names |= {n: f"signed-in GET {path}" for n in _set_cookies(anonymous.get(path))}
    signing_out = anonymous.submit("/sign-out")
    names |= {n: "sign out" for n in _set_cookies(signing_out)}
    # The portal's one preference (issue 14, point 5): light, dark or the device's colours.
    choosing = anonymous.submit("/portal/colour-scheme", {"scheme": "dark", "next": "/portal/"})
    names |= {n: "colour scheme" for n in _set_cookies(choosing)}

    assert set(names) == {app.config["SESSION_COOKIE_NAME"], PREFERENCE_COOKIE}, names
    cookies = SimpleCookie()
    cookies.load(signing_in.headers["Set-Cookie"])
    assert not cookies[app.config["SESSION_COOKIE_NAME"]]["domain"]  # this host only
    # The preference is one word of three, for this host only, unreadable by scripts.
    preference = SimpleCookie()
    preference.load(_set_cookies(choosing)[PREFERENCE_COOKIE])
    kept = preference[PREFERENCE_COOKIE]
    assert kept.value == "dark" and not kept["domain"] and kept["httponly"]
    assert kept["samesite"] == "Lax"


@pytest.mark.promise("P-19")
def test_pages_load_nothing_from_other_hosts(app: Flask, world: World, owner: Client):
    external = re.compile(
        r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", re.I
    )
    for label, response in _walk(app, world, owner):
        if response.mimetype == "text/html":
            found = external.search(html(response))
            assert found is None, f"{label}: {found.group(0) if found else ''}"


def test_absurd_page_numbers_never_become_a_server_error(app: Flask, owner: Client):
    for path in _get_routes(app):
        for page in ("99999999999999999999", "-1", "abc"):
            response = owner.get(f"{path}?page={page}")
            assert response.status_code < 500, f"{path}?page={page}"


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/sign-up", {"company_name": "Ac\x00me"}),
        ("get", "/audit/records/public.tenants/%00", None),
        ("get", "/customers?q=a%00b", None),
    ],
)
def test_a_nul_character_anywhere_is_a_clear_400_not_a_500(owner: Client, method, url, data):
    """PostgreSQL cannot store NUL in text: such requests are refused before they get there."""
    response = owner.submit(url, data) if method == "post" else owner.get(url)
    assert response.status_code == 400
    assert "cannot be stored" in html(response)
