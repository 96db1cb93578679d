"""The technician's money path on a phone (390 by 844), in real Chromium: from their visit they
build a two-option estimate from the price book and by hand, hand the phone to the homeowner,
who picks "Better", types their name and signs; the technician completes the visit, makes the
invoice (the approved option's lines), adds a line, records a cash payment, and the invoice
shows paid."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from app.db import Connection
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import phone_context, sign_in
from tests.e2e.test_technician_day import fits_the_phone, sign_on_the_screen
from tests.factories import Factory
from tests.technician.support import make_day

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def option_card(page: Page, name: str) -> Locator:
    return page.locator("section.card", has=page.get_by_role("heading", name=name, exact=True))


def completed_and_invoiced(page: Page) -> None:
    """On the technician's visit: completed (the customer signed the estimate already), then
    its invoice made (INV-1001)."""
    page.get_by_label("Customer not available to sign").check()
    page.get_by_label("Why the customer cannot sign").fill("Signed the estimate already")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_text("Visit completed. Thank you!")).to_be_visible()
    page.get_by_role("button", name="Create the invoice").click()
    expect(page.get_by_role("heading", name="INV-1001")).to_be_visible()


def add_a_line_on_the_invoice(page: Page, description: str, unit_price: str) -> None:
    """The technician's invoice: a line written by hand."""
    by_hand = page.locator("#add-line details.add-lines")
    by_hand.locator("summary").click()
    by_hand.get_by_label("Description").fill(description)
    by_hand.get_by_label("Unit price").fill(unit_price)
    by_hand.get_by_role("button", name="Add this line").click()
    expect(page.get_by_text("Line added.", exact=True)).to_be_visible()


def test_a_technician_estimates_has_it_signed_invoices_and_takes_cash_on_a_phone(
    browser: Browser, live_server: str, database: TestDatabase, make: Factory, admin: Connection
) -> None:
    day = make_day(make)
    make.tax_rate(day.tenant.id, "State", "5")
    make.price_item(day.tenant.id, "service", "Replace igniter", "240.00")
    make.price_item(day.tenant.id, "material", "Hot surface igniter, premium", "95.00")
    files_dir = Path(make_settings(database).files_dir) / str(day.tenant.id)
    ARTIFACTS.mkdir(exist_ok=True)
    context = phone_context(browser)
    page = context.new_page()
    try:
        sign_in(page, live_server, day.tech.email)
        page.goto(f"{live_server}/my-day/visits/{day.first}")
        page.get_by_role("button", name="On my way").click()
        page.get_by_role("button", name="Arrived").click()
        page.get_by_role("button", name="New estimate").click()
        expect(page.get_by_role("heading", name=re.compile("EST-1001"))).to_be_visible()
        fits_the_phone(page)

        # Good: from the price book, found by a search.
        page.get_by_label("Search the price book").fill("igniter")
        page.get_by_role("button", name="Search").click()
        good = option_card(page, "Recommended")
        good.get_by_label("From the price book").select_option(label="Replace igniter (service)")
        good.get_by_role("button", name="Add from the price book").click()
        expect(page.get_by_text("Line added from the price book.")).to_be_visible()

        # Better: a second option, with a book line and a line written by hand.
        page.get_by_label("Option", exact=True).fill("Better")
        page.get_by_role("button", name="Add the option").click()
        better = option_card(page, "Better")
        better.get_by_label("From the price book").select_option(
            label="Hot surface igniter, premium (material)"
        )
        better.get_by_role("button", name="Add from the price book").click()
        expect(page.get_by_text("Line added from the price book.")).to_be_visible()
        better = option_card(page, "Better")
        better.locator("summary").click()
        by_hand = better.locator("details.add-lines")
        by_hand.get_by_label("Description").fill("Labour, 2 hours")
        expect(by_hand.get_by_label("Unit price")).to_have_attribute("inputmode", "decimal")
        by_hand.get_by_label("Quantity").fill("2")
        by_hand.get_by_label("Unit price").fill("110")
        by_hand.get_by_role("button", name="Add this line").click()
        expect(page.get_by_text("Line added.", exact=True)).to_be_visible()
        # Better: 95.00 + 220.00 = 315.00, tax 5% = 4.75 + 11.00 = 15.75 → 330.75.
        expect(option_card(page, "Better")).to_contain_text("$330.75")
        expect(option_card(page, "Recommended")).to_contain_text("$252.00")
        fits_the_phone(page)
        page.screenshot(path=str(ARTIFACTS / "technician-estimate-builder.png"), full_page=True)

        # The homeowner takes the phone.
        page.get_by_role("button", name="Show to the customer").click()
        expect(page).to_have_url(re.compile(r"/present$"))
        expect(page.locator("header.topbar")).to_have_count(0)
        page.get_by_role("radio", name=re.compile("^Better")).check()
        page.get_by_label("Your full name").fill("Dana Reyes")
        sign_on_the_screen(page)
        fits_the_phone(page)
        page.screenshot(path=str(ARTIFACTS / "technician-estimate-signing.png"), full_page=True)
        approve = page.get_by_role("button", name="Approve", exact=True)
        approve.click()
        expect(page.get_by_text("Approved: the office will schedule the work.")).to_be_visible()
        expect(page.get_by_text(re.compile("Approved by Dana Reyes in person"))).to_be_visible()
        estimate = admin.execute(
            "select e.status, o.name, e.approval_recorded_by from public.estimates e"
            " join public.estimate_options o on o.id = e.approved_option_id where e.job_id = %s",
            [day.job],
        ).fetchone()
        assert estimate == {
            "status": "approved",
            "name": "Better",
            "approval_recorded_by": day.tech.account_id,
        }

        # Back to the technician: complete the visit, then its invoice.
        page.get_by_role("link", name="Back to the technician").click()
        completed_and_invoiced(page)
        expect(page.locator("#lines")).to_contain_text("Labour, 2 hours")
        fits_the_phone(page)

        add_a_line_on_the_invoice(page, "Thermostat wire, 20 ft", "30")
        # 330.75 + 30.00 + 1.50 tax = 362.25
        expect(page.locator("#lines")).to_contain_text("$362.25")
        page.get_by_role("button", name="Send the invoice").click()
        expect(page.get_by_text("Marked as sent")).to_be_visible()
        expect(page.locator("#payment-link")).to_have_count(1)  # the payment link's place

        expect(page.get_by_label("Amount")).to_have_value("362.25")
        page.get_by_label("Method").select_option(label="Cash")
        page.get_by_role("button", name="Record the payment").click()
        expect(page.get_by_text("Payment recorded.")).to_be_visible()
        expect(page.locator(".lead .badge")).to_have_text("Paid")
        fits_the_phone(page)
        page.screenshot(path=str(ARTIFACTS / "technician-invoice-paid.png"), full_page=True)
        invoice = admin.execute(
            "select i.status, t.total, t.balance from public.invoices i"
            " join public.invoice_totals t on t.invoice_id = i.id where i.visit_id = %s",
            [day.first],
        ).fetchone()
        assert invoice is not None
        assert (invoice["status"], str(invoice["total"]), invoice["balance"]) == (
            "paid",
            "362.25",
            0,
        )
    finally:
        context.close()
        shutil.rmtree(files_dir, True)
