"""The technician's money on site, on their phone: an estimate for their visit's job built from
the price book (member prices for a plan customer) or by hand, shown to the homeowner who
approves one option with a signature on the same screen (once, with the consequences of an
approval by link), then the visit's invoice with lines added on site, sent, and paid on the
spot. Refusals: another technician's work is 404, the office's pages 403, bad input a message
with nothing saved."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.conftest import Client
from tests.factories import Factory
from tests.technician.support import Day, html, signature_data_url

pytestmark = pytest.mark.promise("P-02")


def _location_id(response: Any, prefix: str) -> UUID:
    assert response.status_code == 302, html(response)
    location = response.headers["Location"]
    assert prefix in location, location
    return UUID(location.split(prefix)[1].split("#")[0].split("/")[0].split("?")[0])


def _new_estimate(tech: Client, visit: UUID) -> UUID:
    return _location_id(tech.submit(f"/my-day/visits/{visit}/estimates"), "/my-day/estimates/")


def _options(admin, estimate: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, position, name from public.estimate_options where estimate_id = %s"
        " order by position",
        [estimate],
    ).fetchall()


def _lines(admin, estimate: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select l.description, l.quantity, l.unit_price, l.discount_percent, l.taxable,"
        " o.position from public.estimate_lines l join public.estimate_options o"
        " on o.id = l.option_id where l.estimate_id = %s order by o.position, l.position",
        [estimate],
    ).fetchall()


def _estimate(admin, estimate: UUID) -> dict[str, Any]:
    row = admin.execute("select * from public.estimates where id = %s", [estimate]).fetchone()
    assert row is not None
    return dict(row)


def _hand_line(position: int, description: str, price: str, **more: str) -> dict[str, str]:
    prefix = f"o{position}-line-"
    values = {"description": description, "quantity": "1", "unit": "each", "unit_price": price}
    values |= {"taxable": "y", **more}
    return {prefix + key: value for key, value in values.items()}


def _two_options(tech: Client, admin, make: Factory, day: Day) -> tuple[UUID, list[UUID]]:
    """A draft for the first visit: a price book line on the first option, a second option
    "Better" with a line written by hand."""
    capacitor = make.price_item(day.tenant.id, "material", "Run capacitor", "85.00")
    estimate = _new_estimate(tech, day.first)
    first = _options(admin, estimate)[0]["id"]
    response = tech.submit(
        f"/my-day/estimate-options/{first}/items",
        {"o0-item-item": str(capacitor), "o0-item-item_quantity": "2"},
    )
    assert response.status_code == 302, html(response)
    response = tech.submit(f"/my-day/estimates/{estimate}/options", {"new-option-name": "Better"})
    assert response.status_code == 302, html(response)
    second = _options(admin, estimate)[1]["id"]
    response = tech.submit(
        f"/my-day/estimate-options/{second}/lines",
        _hand_line(1, "New condenser fan motor", "410.00", **{"discount_percent": "10"}),
    )
    assert response.status_code == 302, html(response)
    return estimate, [first, second]


# --- building the estimate ------------------------------------------------------------------


def test_a_technician_builds_a_two_option_estimate_for_their_visit(tech, admin, make, day: Day):
    make.tax_rate(day.tenant.id, "State", "5")
    estimate, _ = _two_options(tech, admin, make, day)

    row = _estimate(admin, estimate)
    assert (row["job_id"], row["property_id"], row["customer_id"], row["status"]) == (
        day.job,
        day.place,
        day.customer,
        "draft",
    )
    assert row["title"] == "Furnace will not light"
    assert [o["name"] for o in _options(admin, estimate)] == ["Recommended", "Better"]
    assert [
        (str(x["unit_price"]), str(x["quantity"]), x["position"]) for x in _lines(admin, estimate)
    ] == [
        ("85.00", "2.00", 0),
        ("410.00", "1.00", 1),
    ]
    page = html(tech.get(f"/my-day/estimates/{estimate}"))
    # 2 x 85.00 + 5% tax = 178.50; 410.00 less 10% = 369.00 + 5% = 387.45
    assert "$178.50" in page and "$387.45" in page
    assert 'inputmode="decimal"' in page


def test_a_plan_customer_gets_member_prices_from_the_book(tech, admin, make, day: Day):
    make.agreement(day.tenant.id, day.place)
    tune_up = make.price_item(
        day.tenant.id, "service", "Furnace tune-up", "129.00", member_price="99.00"
    )
    estimate = _new_estimate(tech, day.first)
    option = _options(admin, estimate)[0]["id"]

    tech.submit(
        f"/my-day/estimate-options/{option}/items",
        {"o0-item-item": str(tune_up), "o0-item-item_quantity": "1"},
    )

    assert [str(x["unit_price"]) for x in _lines(admin, estimate)] == ["99.00"]
    assert "Member prices" in html(tech.get(f"/my-day/estimates/{estimate}"))


def test_the_price_book_is_searched_by_name(tech, admin, make, day: Day):
    make.price_item(day.tenant.id, "material", "Run capacitor", "85.00")
    make.price_item(day.tenant.id, "service", "Duct cleaning", "300.00")
    estimate = _new_estimate(tech, day.first)

    page = html(tech.get(f"/my-day/estimates/{estimate}?q=CAPAC"))

    assert "Run capacitor" in page and "Duct cleaning" not in page
    assert "Duct cleaning" in html(tech.get(f"/my-day/estimates/{estimate}"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "two", "number"),
        ("unit_price", "", "Enter the unit price."),
        ("discount_percent", "120", "100"),
        ("description", "", "Describe the work or the part."),
    ],
)
def test_a_bad_line_is_refused_with_a_message_and_nothing_saved(
    tech, admin, day: Day, field: str, value: str, message: str
):
    estimate = _new_estimate(tech, day.first)
    option = _options(admin, estimate)[0]["id"]
    data = _hand_line(0, "Thermostat wire", "25.00") | {f"o0-line-{field}": value}

    response = tech.submit(f"/my-day/estimate-options/{option}/lines", data)

    assert response.status_code == 422
    assert message in html(response)
    assert _lines(admin, estimate) == []


def test_an_item_not_in_the_book_is_refused(tech, admin, day: Day):
    estimate = _new_estimate(tech, day.first)
    option = _options(admin, estimate)[0]["id"]

    response = tech.submit(
        f"/my-day/estimate-options/{option}/items",
        {"o0-item-item": "00000000-0000-0000-0000-000000000001", "o0-item-item_quantity": "1"},
    )

    assert response.status_code == 422
    assert "Choose one of the listed items." in html(response)
    assert _lines(admin, estimate) == []


def test_an_empty_estimate_is_not_shown_to_the_customer(tech, admin, day: Day):
    estimate = _new_estimate(tech, day.first)

    response = tech.submit(f"/my-day/estimates/{estimate}/show")

    assert response.status_code == 302
    assert _estimate(admin, estimate)["status"] == "draft"
    assert "Add at least one line" in html(tech.get(f"/my-day/estimates/{estimate}"))


# --- the homeowner approves in person -------------------------------------------------------


def _approve(tech: Client, estimate: UUID, option: UUID, name: str = "Dana Reyes") -> Any:
    return tech.submit(
        f"/my-day/estimates/{estimate}/approve",
        {"option": str(option), "signed_by": name, "signature": signature_data_url()},
    )


def _visits_of(admin, job: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, status from public.visits where job_id = %s order by created_at", [job]
    ).fetchall()


def test_the_homeowner_signs_on_the_technicians_phone_once(tech, admin, make, day: Day):
    estimate, (_, better) = _two_options(tech, admin, make, day)
    before = len(_visits_of(admin, day.job))
    response = tech.submit(f"/my-day/estimates/{estimate}/show")
    assert response.headers["Location"].endswith(f"/my-day/estimates/{estimate}/present")
    assert _estimate(admin, estimate)["status"] == "sent"

    page = html(tech.get(f"/my-day/estimates/{estimate}/present"))
    assert 'aria-label="Main"' not in page and "Menu" not in page  # no office chrome
    assert "Better" in page and 'id="signature-pad"' in page and "$369.00" in page

    first, second = _approve(tech, estimate, better), _approve(tech, estimate, better)

    assert first.status_code == second.status_code == 302
    row = _estimate(admin, estimate)
    assert (row["status"], row["approved_option_id"], row["approved_by_name"]) == (
        "approved",
        better,
        "Dana Reyes",
    )
    assert row["approval_recorded_by"] == day.tech.account_id
    assert row["approved_at"] is not None and row["signature_key"]
    visits = _visits_of(admin, day.job)
    assert len(visits) == before + 1  # two taps, one approval, one new visit
    assert (row["approved_visit_id"], "unscheduled") in [(v["id"], v["status"]) for v in visits]
    assert "already approved" in html(tech.get(f"/my-day/estimates/{estimate}/present"))
    told = admin.execute(
        "select body_text from outbox.messages where kind = 'estimate_approved' and tenant_id = %s",
        [day.tenant.id],
    ).fetchall()
    assert told and all("in person" in m["body_text"] for m in told)


def test_the_office_sees_who_recorded_the_approval(app, tech, admin, make, day: Day):
    estimate, (first, _) = _two_options(tech, admin, make, day)
    tech.submit(f"/my-day/estimates/{estimate}/show")
    _approve(tech, estimate, first)
    owner = make.member(day.tenant.id, "owner")
    office: Client = app.test_client()
    office.sign_in(owner.email)

    page = html(office.get(f"/estimates/{estimate}"))

    assert "Approved by Dana Reyes in person, recorded by" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"signature": ""}, "Sign with your finger"),
        ({"signed_by": ""}, "Type your name to sign."),
        ({"option": "00000000-0000-0000-0000-000000000001"}, "Choose one of the options."),
        ({"signature": "data:image/png;base64,bm90IGEgcGljdHVyZQ=="}, ""),
    ],
)
def test_an_approval_without_its_parts_is_refused(
    tech, admin, make, day: Day, files_dir, data: dict[str, str], message: str
):
    estimate, (first, _) = _two_options(tech, admin, make, day)
    tech.submit(f"/my-day/estimates/{estimate}/show")
    form = {"option": str(first), "signed_by": "Dana Reyes", "signature": signature_data_url()}

    response = tech.submit(f"/my-day/estimates/{estimate}/approve", form | data)

    assert response.status_code == 422
    assert message in html(response)
    assert _estimate(admin, estimate)["status"] == "sent"
    assert not list(files_dir.rglob("*.png"))


def test_a_draft_is_not_approved(tech, admin, make, day: Day):
    estimate, (first, _) = _two_options(tech, admin, make, day)

    _approve(tech, estimate, first)

    assert _estimate(admin, estimate)["status"] == "draft"


# --- refusals -------------------------------------------------------------------------------


def test_another_technicians_visit_and_estimate_are_404(app, tech, admin, make, day: Day):
    estimate, (first, _) = _two_options(tech, admin, make, day)
    tech.submit(f"/my-day/estimates/{estimate}/show")
    colleague: Client = app.test_client()
    colleague.sign_in(day.other_tech.email)
    count = admin.execute("select count(*) as n from public.estimates").fetchone()

    assert colleague.submit(f"/my-day/visits/{day.first}/estimates").status_code == 404
    assert colleague.get(f"/my-day/estimates/{estimate}").status_code == 404
    assert colleague.get(f"/my-day/estimates/{estimate}/present").status_code == 404
    assert _approve(colleague, estimate, first).status_code == 404
    assert tech.submit(f"/my-day/visits/{day.others}/estimates").status_code == 404

    assert admin.execute("select count(*) as n from public.estimates").fetchone() == count
    assert _estimate(admin, estimate)["status"] == "sent"


def test_the_offices_estimate_and_invoice_pages_stay_the_offices(tech, admin, make, day: Day):
    estimate, (first, _) = _two_options(tech, admin, make, day)
    tech.submit(f"/my-day/estimates/{estimate}/show")

    assert tech.get(f"/estimates/{estimate}").status_code == 403
    assert tech.submit(f"/estimates/{estimate}/approve", {"option": str(first)}).status_code == 403
    assert tech.submit(f"/estimates/{estimate}/decline").status_code == 403
    assert tech.get("/invoices").status_code == 403
    assert _estimate(admin, estimate)["status"] == "sent"


# --- the visit's invoice --------------------------------------------------------------------


def _complete(tech: Client, visit: UUID) -> None:
    for status in ("en_route", "on_site"):
        assert tech.submit(f"/my-day/visits/{visit}/status", {"status": status}).status_code == 302
    response = tech.submit(
        f"/my-day/visits/{visit}/complete", {"not_available": "y", "unsigned_reason": "Out"}
    )
    assert response.status_code == 302, html(response)


def _invoice(admin, invoice: UUID) -> dict[str, Any]:
    row = admin.execute(
        "select i.*, t.total, t.paid, t.balance from public.invoices i"
        " join public.invoice_totals t on t.invoice_id = i.id where i.id = %s",
        [invoice],
    ).fetchone()
    assert row is not None
    return dict(row)


def _invoice_lines(admin, invoice: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select id, description, unit_price from public.invoice_lines where invoice_id = %s"
        " order by position",
        [invoice],
    ).fetchall()


def _new_invoice(tech: Client, visit: UUID) -> UUID:
    return _location_id(tech.submit(f"/my-day/visits/{visit}/invoice"), "/my-day/invoices/")


def test_the_completed_visits_invoice_is_made_sent_and_paid(tech, admin, make, day: Day):
    estimate, (_, better) = _two_options(tech, admin, make, day)
    tech.submit(f"/my-day/estimates/{estimate}/show")
    _approve(tech, estimate, better)
    _complete(tech, day.first)

    invoice = _new_invoice(tech, day.first)
    assert _new_invoice(tech, day.first) == invoice  # the same invoice, not a second one

    row = _invoice(admin, invoice)
    assert (row["visit_id"], row["job_id"], row["estimate_id"], row["status"]) == (
        day.first,
        day.job,
        estimate,
        "draft",
    )
    assert [x["description"] for x in _invoice_lines(admin, invoice)] == ["New condenser fan motor"]
    added = tech.submit(
        f"/my-day/invoices/{invoice}/lines",
        {
            "line-description": "Thermostat wire",
            "line-quantity": "1",
            "line-unit": "each",
            "line-unit_price": "25.00",
        },
    )
    assert added.status_code == 302, html(added)
    wire = _invoice_lines(admin, invoice)[1]["id"]
    edited = tech.submit(
        f"/my-day/invoice-lines/{wire}/edit",
        {
            "description": "Thermostat wire, 20 ft",
            "quantity": "1",
            "unit": "each",
            "unit_price": "30.00",
        },
    )
    assert edited.status_code == 302, html(edited)
    assert _invoice(admin, invoice)["total"] == 399  # 369.00 + 30.00, untaxed here

    assert tech.submit(f"/my-day/invoices/{invoice}/sent").status_code == 302
    page = html(tech.get(f"/my-day/invoices/{invoice}"))
    assert "PAYMENT LINK" not in page and 'id="payment-link"' in page  # the marked place
    paid = tech.submit(
        f"/my-day/invoices/{invoice}/payments",
        {
            "amount": "399.00",
            "method": "cash",
            "received_on": _invoice(admin, invoice)["issued_on"],
        },
    )

    assert paid.status_code == 302, html(paid)
    row = _invoice(admin, invoice)
    assert (row["status"], row["balance"]) == ("paid", 0)
    payment = admin.execute(
        "select method, recorded_by from public.payments where invoice_id = %s", [invoice]
    ).fetchone()
    assert payment == {"method": "cash", "recorded_by": day.tech.account_id}
    assert "Paid" in html(tech.get(f"/my-day/invoices/{invoice}"))


def _sent_invoice(tech: Client, admin, day: Day) -> UUID:
    _complete(tech, day.first)
    invoice = _new_invoice(tech, day.first)
    tech.submit(
        f"/my-day/invoices/{invoice}/lines",
        {
            "line-description": "Service call",
            "line-quantity": "1",
            "line-unit": "each",
            "line-unit_price": "100.00",
        },
    )
    assert tech.submit(f"/my-day/invoices/{invoice}/sent").status_code == 302
    return invoice


@pytest.mark.promise("P-16")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "100.01"}, "more than the balance due"),
        ({"method": "cheque", "reference": ""}, "Enter the cheque number."),
        ({"method": "card_terminal", "reference": "4242 4242 4242 4242"}, "card number"),
        ({"method": "bitcoin"}, "Choose how the payment was made."),
        ({"amount": "0"}, "above zero"),
    ],
)
def test_a_payment_against_the_rules_is_refused_and_nothing_saved(
    tech, admin, day: Day, data: dict[str, str], message: str
):
    invoice = _sent_invoice(tech, admin, day)
    form = {"amount": "100.00", "method": "cash", "reference": "", "received_on": ""}
    form["received_on"] = str(_invoice(admin, invoice)["issued_on"])

    response = tech.submit(f"/my-day/invoices/{invoice}/payments", form | data)

    assert response.status_code == 422
    assert message in html(response)
    assert admin.execute(
        "select count(*) as n from public.payments where invoice_id = %s", [invoice]
    ).fetchone() == {"n": 0}
    assert _invoice(admin, invoice)["status"] == "sent"


def test_a_cheque_with_its_number_and_a_card_terminal_payment_are_recorded(tech, admin, day):
    invoice = _sent_invoice(tech, admin, day)
    day_paid = str(_invoice(admin, invoice)["issued_on"])
    for method, amount, reference in (
        ("cheque", "60.00", "1042"),
        ("card_terminal", "40.00", "R-77"),
    ):
        response = tech.submit(
            f"/my-day/invoices/{invoice}/payments",
            {"amount": amount, "method": method, "reference": reference, "received_on": day_paid},
        )
        assert response.status_code == 302, html(response)

    assert _invoice(admin, invoice)["status"] == "paid"


def test_no_invoice_before_the_visit_is_completed(tech, admin, day: Day):
    response = tech.submit(f"/my-day/visits/{day.first}/invoice")

    assert response.status_code == 302
    assert "Complete the visit before" in html(tech.get(f"/my-day/visits/{day.first}"))
    assert admin.execute("select count(*) as n from public.invoices").fetchone() == {"n": 0}


def test_a_sent_invoices_lines_stay_as_they_are(tech, admin, day: Day):
    invoice = _sent_invoice(tech, admin, day)
    line = _invoice_lines(admin, invoice)[0]["id"]

    assert tech.get(f"/my-day/invoice-lines/{line}/edit").status_code == 409
    assert tech.submit(f"/my-day/invoice-lines/{line}/remove").status_code == 409
    assert (
        tech.submit(
            f"/my-day/invoices/{invoice}/lines",
            {"line-description": "More", "line-quantity": "1", "line-unit_price": "5.00"},
        ).status_code
        == 409
    )
    assert len(_invoice_lines(admin, invoice)) == 1


def test_another_technician_cannot_reach_the_visits_invoice(app, tech, admin, day: Day):
    invoice = _sent_invoice(tech, admin, day)
    colleague: Client = app.test_client()
    colleague.sign_in(day.other_tech.email)

    assert colleague.get(f"/my-day/invoices/{invoice}").status_code == 404
    assert (
        colleague.submit(
            f"/my-day/invoices/{invoice}/payments",
            {
                "amount": "100.00",
                "method": "cash",
                "received_on": str(_invoice(admin, invoice)["issued_on"]),
            },
        ).status_code
        == 404
    )
    assert colleague.submit(f"/my-day/visits/{day.first}/invoice").status_code == 404
    assert _invoice(admin, invoice)["status"] == "sent"
