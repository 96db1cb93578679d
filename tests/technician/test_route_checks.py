"""Every route of the technician's pages, enumerated from the URL map so that a new one is
covered the day it lands: a POST without a valid CSRF token is refused and changes nothing
(P-06); another company's ids, another technician's and ids that exist nowhere are 404 (P-01,
P-02). tests/test_routes_security.py checks the office's routes as an owner; these routes are
a technician's, so here a technician of each company is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from flask import Flask, url_for
from psycopg import sql
from werkzeug.routing import Rule

from tests.conftest import Client
from tests.factories import Factory
from tests.technician.support import (
    JPEG,
    Day,
    at,
    files_of,
    html,
    make_day,
    signature_data_url,
    today,
    upload,
)

CSRF_REFUSAL = "This form has expired"
# Capability links: the token is the permission (checked in test_calendar.py and, for
# unknown tokens, in tests/test_routes_security.py).
EXEMPT_VARIABLES = {"token"}
FORM = {
    "status": "en_route",
    "body": "A note",
    "done": "1",
    "not_available": "y",
    "unsigned_reason": "Nobody home",
}


# The estimate and invoice routes whose control needs a document past its draft.
SENT_ESTIMATE_ROUTES = {"technician.approve_estimate", "technician.present_estimate"}
SENT_INVOICE_ROUTES = {"technician.take_payment", "technician.payment_link"}


@dataclass
class Company:
    day: Day
    tech: Client
    file_id: UUID
    item_id: UUID
    on_site: UUID  # a visit ready to be completed
    money: Money

    def value(self, name: str, endpoint: str) -> Any:
        if name == "visit_id":
            return self.on_site if endpoint == "technician.complete" else self.day.first
        if name == "estimate_id" and endpoint in SENT_ESTIMATE_ROUTES:
            return self.money.sent_estimate
        if name == "invoice_id" and endpoint in SENT_INVOICE_ROUTES:
            return self.money.sent_invoice
        return {
            "file_id": self.file_id,
            "item_id": self.item_id,
            "estimate_id": self.money.estimate,
            "option_id": self.money.option,
            "line_id": self.money.line,
            "invoice_id": self.money.invoice,
            "invoice_line_id": self.money.invoice_line,
        }[name]

    def form(self) -> dict[str, Any]:
        """What the estimate, approval, invoice and payment forms need besides FORM."""
        line = {"description": "Wire", "quantity": "1", "unit": "each", "unit_price": "5.00"}
        return {
            **line,
            **{f"o0-line-{k}": v for k, v in line.items()},
            **{f"line-{k}": v for k, v in line.items()},
            "o0-item-item": str(self.money.book_item),
            "o0-item-item_quantity": "1",
            "item-item": str(self.money.book_item),
            "item-item_quantity": "1",
            "new-option-name": "Better",
            "option": str(self.money.sent_option),
            "signed_by": "Dana Reyes",
            "signature": signature_data_url(),
            "amount": "1.00",
            "method": "cash",
            "received_on": today().isoformat(),
        }


@dataclass
class Money:
    """The technician's documents on the first visit's job: a draft estimate with a line, a
    sent one, a draft invoice with a line, a sent one, and an item of the price book."""

    estimate: UUID
    option: UUID
    line: UUID
    sent_estimate: UUID
    sent_option: UUID
    invoice: UUID
    invoice_line: UUID
    sent_invoice: UUID
    book_item: UUID


def _money(make: Factory, day: Day) -> Money:
    tenant = day.tenant.id
    estimate = make.estimate(tenant, day.place, day.job)
    option = make.estimate_option(tenant, estimate)
    line = make.conn.execute(
        "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
        " quantity, unit_price) values (%s, %s, %s, 'Capacitor', 1, 85) returning id",
        [tenant, estimate, option],
    ).fetchone()
    sent = make.estimate(tenant, day.place, day.job)
    sent_option = make.estimate_option(tenant, sent)
    make.conn.execute(
        "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
        " quantity, unit_price) values (%s, %s, %s, 'Capacitor', 1, 85)",
        [tenant, sent, sent_option],
    )
    make.conn.execute(
        "update public.estimates set status = 'sent', sent_at = now() where id = %s", [sent]
    )
    invoice = make.invoice(tenant, day.place, day.job)
    invoice_line = make.invoice_line(tenant, invoice)
    sent_invoice = make.invoice(tenant, day.place, day.job, lines=("100.00",), status="sent")
    book_item = make.price_item(tenant, "material", "Run capacitor", "85.00")
    assert line is not None
    return Money(
        estimate,
        option,
        line["id"],
        sent,
        sent_option,
        invoice,
        invoice_line,
        sent_invoice,
        book_item,
    )


def _company(app: Flask, make: Factory) -> Company:
    day = make_day(make)
    tech: Client = app.test_client()  # type: ignore[assignment]
    tech.sign_in(day.tech.email)
    tech.post(
        f"/my-day/visits/{day.first}/photos",
        data={"csrf_token": tech.csrf_token(), "photo": upload(JPEG)},
        content_type="multipart/form-data",
    )
    tune_up = make.job(day.tenant.id, day.place, kind="maintenance", summary="Tune-up")
    checked = make.visit(
        day.tenant.id, tune_up, at(today(), 16), technicians=(day.tech.account_id,)
    )
    item = make.conn.execute(
        "select id from public.visit_checklist_items where visit_id = %s order by position",
        [checked],
    ).fetchone()
    on_site = make.visit(
        day.tenant.id, day.job, at(today(), 19), technicians=(day.tech.account_id,)
    )
    for status in ("en_route", "on_site"):
        make.conn.execute("update public.visits set status = %s where id = %s", [status, on_site])
    assert item is not None
    return Company(
        day, tech, files_of(make.conn, day.first)[0]["id"], item["id"], on_site, _money(make, day)
    )


@pytest.fixture
def mine(app: Flask, make: Factory) -> Company:
    return _company(app, make)


@pytest.fixture
def theirs(app: Flask, make: Factory) -> Company:
    return _company(app, make)


def _rules(app: Flask) -> list[Rule]:
    found = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("technician.") and not r.arguments & EXEMPT_VARIABLES
    ]
    assert len(found) >= 10  # the pages of today; fewer means routes went missing
    return sorted(found, key=lambda r: r.rule)


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _url(app: Flask, rule: Rule, company: Company | None) -> str:
    """The rule's URL with the company's objects, or with ids of nothing when None."""
    values: dict[str, Any] = {
        name: company.value(name, rule.endpoint) if company else UUID(int=12345)
        for name in rule.arguments
    }
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _send(
    client: Client, method: str, target: str, token: bool = True, company: Company | None = None
) -> Any:
    if method == "GET":
        return client.get(target)
    data: dict[str, Any] = dict(FORM, photo=upload(JPEG), **(company.form() if company else {}))
    if token:
        data["csrf_token"] = client.csrf_token()
    return client.open(target, method=method, data=data, content_type="multipart/form-data")


TOUCHED = (
    "visits",
    "visit_notes",
    "visit_files",
    "visit_checklist_items",
    "calendar_feeds",
    "estimates",
    "estimate_options",
    "estimate_lines",
    "invoices",
    "invoice_lines",
    "invoice_links",
    "payments",
)


def _state(admin) -> list[Any]:
    """Everything a technician's page can change, to prove a refused request changed nothing."""
    return [
        admin.execute(
            sql.SQL(
                "select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as d from {} t"
            ).format(sql.Identifier("public", table))
        ).fetchone()["d"]
        for table in TOUCHED
    ]


@pytest.mark.promise("P-06")
def test_every_technician_form_refuses_a_request_without_a_csrf_token(app, admin, mine):
    problems = []
    for rule in _rules(app):
        if "POST" not in _methods(rule):
            continue
        target = _url(app, rule, mine)
        before = _state(admin)
        response = _send(mine.tech, "POST", target, token=False)
        if response.status_code != 400 or CSRF_REFUSAL not in html(response):
            problems.append(f"POST {target}: {response.status_code}")
        if _state(admin) != before:
            problems.append(f"POST {target} changed the database")
    assert not problems, "\n".join(problems)


@pytest.mark.promise("P-01")
@pytest.mark.promise("P-02")
def test_another_companys_and_another_technicians_ids_are_404(app, admin, make, mine, theirs):
    colleague = app.test_client()
    colleague.sign_in(mine.day.other_tech.email)
    problems = []
    for rule in _rules(app):
        if not rule.arguments:
            continue
        for method in _methods(rule):
            own = _url(app, rule, mine)
            foreign = _url(app, rule, theirs)
            nowhere = _url(app, rule, None)
            for who, client, target in (
                ("company B's id", mine.tech, foreign),
                ("a colleague's visit", colleague, own),
                ("an id of nothing", mine.tech, nowhere),
            ):
                before = _state(admin)
                response = _send(client, method, target, company=mine)
                if response.status_code != 404:
                    problems.append(f"{method} {target} ({who}): {response.status_code}")
                if "Furnace will not light" in html(response):
                    problems.append(f"{method} {target} ({who}) shows the visit")
                if _state(admin) != before:
                    problems.append(f"{method} {target} ({who}) changed the database")
            # Control: the same request on the technician's own ids works.
            control = _send(mine.tech, method, own, company=mine)
            if control.status_code not in (200, 302):
                problems.append(f"{method} {own} (own id): {control.status_code}")
    assert not problems, "\n".join(problems)
