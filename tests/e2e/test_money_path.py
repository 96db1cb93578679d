"""The whole money path in real Chromium, with Stripe on loopback ports (localstripe and its
Checkout page, tests/payments/stripe_server.py): the office connects Stripe on the settings page
and builds a three-option estimate; the homeowner on a phone approves "Better" with a signature
and pays a deposit on Stripe's page; the office sees the approval and the new visit; the
technician completes the visit, makes the invoice, adds a line and sends it; the office sends
its link; the homeowner pays the balance on Stripe's page; the invoice shows paid, and its PDF
has the right totals."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Browser, Page, expect

from app.db import Connection
from tests.conftest import TestDatabase, make_settings
from tests.e2e.conftest import page_width, phone_context, sign_in
from tests.e2e.test_estimate_approval import DESKTOP, furnace_company, three_options_sent
from tests.e2e.test_invoice_link import invoice_link_made
from tests.e2e.test_technician_day import fits_the_phone, sign_on_the_screen
from tests.e2e.test_technician_money import add_a_line_on_the_invoice, completed_and_invoiced
from tests.estimates.test_pdf import pdf_text
from tests.factories import Factory, Member, Tenant
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET
from tests.payments.stripe_server import FakeStripe
from tests.technician.support import at, today, works_every_day

pytestmark = [pytest.mark.e2e]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def company(make: Factory, database: TestDatabase) -> Iterator[tuple[Tenant, UUID, Member]]:
    tenant, job = furnace_company(make)
    tech = make.member(tenant.id, "technician")
    works_every_day(make.conn, tenant.id, tech.account_id)
    yield tenant, UUID(str(job)), tech
    shutil.rmtree(Path(make_settings(database).files_dir) / str(tenant.id), True)


def pay_on_stripes_page(page: Page, amount: str) -> None:
    """On Stripe's page (the loopback Checkout): the amount, then Pay."""
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"))
    expect(page.get_by_role("heading", name=f"Pay {amount} USD")).to_be_visible()
    page.get_by_role("button", name="Pay", exact=True).click()


def connect_stripe(desk: Page, base: str, stripe: FakeStripe, deposit: str = "") -> None:
    """The signed-in owner connects Stripe (with a deposit on approved estimates, in %), and
    adds the endpoint the settings page shows to Stripe's dashboard."""
    desk.goto(f"{base}/company/payments")
    desk.get_by_label("Secret key").fill(SECRET_KEY)
    desk.get_by_label("Webhook signing secret").fill(WEBHOOK_SECRET)
    desk.get_by_label("Deposit on approved estimates (%)").fill(deposit)
    desk.get_by_role("button", name="Save payment settings").click()
    expect(desk.get_by_text("Payment settings saved.")).to_be_visible()
    webhook = desk.locator("#webhook-url").inner_text()
    assert webhook.startswith(f"{base}/stripe/webhook/")
    stripe.add_webhook(SECRET_KEY, webhook, WEBHOOK_SECRET)


def test_an_estimate_is_approved_with_a_deposit_and_its_invoice_paid_through_stripe(
    browser: Browser,
    paying_server: str,
    stripe: FakeStripe,
    company: tuple[Tenant, UUID, Member],
    make: Factory,
    admin: Connection,
) -> None:
    tenant, job, tech = company
    base = paying_server
    desk_context, phone, tech_phone = (
        browser.new_context(viewport=DESKTOP),
        phone_context(browser),
        phone_context(browser),
    )
    desk, home, field = desk_context.new_page(), phone.new_page(), tech_phone.new_page()
    try:
        sign_in(desk, base, tenant.owner.email)
        connect_stripe(desk, base, stripe, deposit="25")

        # The office builds a three-option estimate and makes its link.
        estimate_url = three_options_sent(desk, base, job)

        # The homeowner approves "Better" on a phone and pays a quarter of it as a deposit.
        home.goto(estimate_url)
        expect(home).to_have_url(re.compile(r"/estimate/view/"))
        expect(home.get_by_role("heading", name="Best")).to_be_visible()
        home.get_by_label("The option you choose").select_option(label="Better")
        home.get_by_label("Your full name").fill("Ruth Alvarez")
        sign_on_the_screen(home)
        home.get_by_role("button", name="Approve", exact=True).click()
        expect(home.get_by_text("your approval is recorded")).to_be_visible()
        # 6,640.63 x 25% = 1,660.1575 → 1,660.16
        home.get_by_role("button", name="Pay deposit of $1,660.16").click()
        pay_on_stripes_page(home, "1,660.16")
        expect(home).to_have_url(re.compile(r"/estimate/view/[^?]+\?deposit=paid$"))
        expect(home.get_by_text("your deposit is being confirmed")).to_be_visible()
        home.reload()
        expect(home.get_by_text("Your choice")).to_be_visible()
        expect(home.get_by_role("button", name=re.compile("Pay deposit"))).to_have_count(0)
        assert page_width(home) <= 390

        # The office sees the approval and the visit it made, and books it for the technician.
        desk.reload()
        expect(desk.get_by_text("Approved by Ruth Alvarez on the link")).to_be_visible()
        desk.goto(f"{base}/dispatch")
        expect(desk.get_by_text("Replace the furnace").first).to_be_visible()
        visit = admin.execute(
            "select id from public.visits where job_id = %s and status = 'unscheduled'", [job]
        ).fetchone()
        assert visit is not None
        visit_id = visit["id"]
        # Booking on the board is tests/e2e/test_dispatch_board.py's; here it is given.
        starts = at(today(), 9)
        admin.execute(
            "update public.visits set status = 'scheduled', window_starts_at = %s,"
            " window_ends_at = %s where id = %s",
            [starts, starts + timedelta(hours=2), visit_id],
        )
        make.assign(tenant.id, visit_id, tech.account_id)

        # The technician completes the visit, makes the invoice, adds a line and sends it.
        sign_in(field, base, tech.email)
        field.goto(f"{base}/my-day/visits/{visit_id}")
        field.get_by_role("button", name="On my way").click()
        field.get_by_role("button", name="Arrived").click()
        completed_and_invoiced(field)
        expect(field.locator("#lines")).to_contain_text("96% furnace, installed")
        add_a_line_on_the_invoice(field, "Condensate pump", "120")
        # 6,250.00 + 120.00 = 6,370.00; tax 381.25 + 9.38 + 7.50 = 398.13 → 6,768.13
        expect(field.locator("#lines")).to_contain_text("$6,768.13")
        field.get_by_role("button", name="Send the invoice").click()
        expect(field.get_by_text("Marked as sent")).to_be_visible()
        fits_the_phone(field)

        # The office sends its link; the homeowner pays the balance (the deposit taken off).
        invoice = admin.execute(
            "select id from public.invoices where visit_id = %s", [visit_id]
        ).fetchone()
        assert invoice is not None
        invoice_url = invoice_link_made(desk, base, invoice["id"], "Send a new link")

        home.goto(invoice_url)
        expect(home).to_have_url(re.compile(r"/invoice/view/[^/?]+$"))
        expect(home.get_by_text("INV-1001")).to_be_visible()
        # 6,768.13 - 1,660.16 = 5,107.97
        pay = home.get_by_role("button", name="Pay $5,107.97 now")
        expect(pay).to_be_visible()
        assert page_width(home) <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        home.screenshot(path=str(ARTIFACTS / "invoice-pay-now-phone.png"), full_page=True)
        pay.click()
        pay_on_stripes_page(home, "5,107.97")
        expect(home).to_have_url(re.compile(r"/invoice/view/[^?]+\?payment=paid$"))
        expect(home.get_by_text("Paid in full: thank you.")).to_be_visible()
        expect(home.get_by_role("button", name=re.compile("^Pay "))).to_have_count(0)
        home.screenshot(path=str(ARTIFACTS / "invoice-paid-phone.png"), full_page=True)
        assert stripe.deliveries == [
            ("checkout.session.completed", 200),
            ("checkout.session.completed", 200),
        ]

        # The office sees it paid; the homeowner's PDF has the totals.
        desk.reload()
        expect(desk.locator(".lead .badge")).to_have_text("Paid")
        pdf = home.request.get(home.url.split("?")[0] + "/invoice.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.body())
        for shown in ("INV-1001", "Condensate pump", "$6,370.00", "$398.13", "$6,768.13"):
            assert shown in text, (shown, text)
        assert re.search(r"Balance due\s*\$0\.00", text), text
    finally:
        desk_context.close()
        phone.close()
        tech_phone.close()
