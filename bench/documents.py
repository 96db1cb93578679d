"""`documents`: what a PDF costs the request that makes it. An estimate of three options (good,
better, best) of four lines each, with the company's logo and an approval's signature, and an
invoice of twelve lines with two taxes and two payments, each rendered ~30 times to PDF
(app/documents.py: the template, then WeasyPrint's layout and PDF writing), against the same
document rendered to HTML only (the template alone) as the baseline.

Nothing is read from the database: the document is built in memory, so the figure is the
renderer's alone. `python -m bench.documents` runs it by itself (BENCH_PDF_RENDERS, 30)."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from PIL import Image

from app import company, create_app, documents, money
from app.estimates import document
from app.invoices import document as invoice_document
from app.invoices import service as invoices
from bench.results import Row, markdown, p50_p95, row

RENDERS = int(os.environ.get("BENCH_PDF_RENDERS", "30"))
LINES = [
    ("Furnace, installed", "1", "each", "4200.00", "0"),
    ("Haul away the old furnace", "1", "each", "150.00", "0"),
    ("Duct sealing", "6", "hour", "95.00", "10"),
    ("Permit", "1", "each", "85.00", "0"),
]


def _png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


LETTERHEAD = company.Letterhead(
    "Northwind Heating & Air",
    "HVAC-123456",
    "12 Elm St\nSpringfield, IL 62701",
    "+13125550123",
    "America/Chicago",
    None,
)


def estimate_document() -> document.Document:
    """EST-1001, approved, with three options of four lines and two tax rates."""
    rates = [money.TaxRate("State", Decimal("6.25")), money.TaxRate("City", Decimal("2.25"))]
    options = []
    for number, name in enumerate(("Good", "Better", "Best")):
        lines = [
            {
                "description": text,
                "quantity": Decimal(quantity),
                "unit": unit,
                "unit_price": Decimal(price) * (1 + Decimal(number) / 4),
                "discount_percent": Decimal(discount),
                "taxable": True,
            }
            for text, quantity, unit, price, discount in LINES
        ]
        options.append(
            document.build_option(str(number), name, f"The {name.lower()} one.", lines, rates)
        )
    now = datetime.now(UTC)
    estimate = {
        "id": "1", "number": 1001, "revision": 1, "title": "Replace the furnace",
        "note": "Prices include labour and a 10-year parts warranty.",
        "valid_until": date.today() + timedelta(days=30), "currency": "USD",
        "status": "approved", "approved_option_id": "1", "approved_by_name": "Ruth Alvarez",
        "created_at": now, "sent_at": now, "approved_at": now,
    }  # fmt: skip
    place = {"street": "40 Oak Ave", "unit": "", "city": "Springfield", "region": "IL",
             "postal_code": "62704"}  # fmt: skip
    return document.Document(LETTERHEAD, estimate, "Ruth Alvarez", place, rates, options)


def invoice_document_of_twelve_lines() -> invoice_document.Document:
    """INV-1001, partly paid: the four lines three times over, two tax rates, two payments."""
    rates = [money.TaxRate("State", Decimal("6.25")), money.TaxRate("City", Decimal("2.25"))]
    lines = [
        {
            "description": text, "quantity": Decimal(quantity), "unit": unit,
            "unit_price": Decimal(price), "discount_percent": Decimal(discount), "taxable": True,
        }
        for text, quantity, unit, price, discount in LINES * 3
    ]  # fmt: skip
    totals = money.totals([invoices.as_line(x) for x in lines], rates)
    today = date.today()
    payments = [
        {"amount": Decimal("1000.00"), "method": "cheque", "reference": "Cheque 1042",
         "received_on": today},
        {"amount": Decimal("500.00"), "method": "cash", "reference": "", "received_on": today},
    ]  # fmt: skip
    invoice = {
        "id": "1", "number": 1001, "status": "partly_paid", "terms": "net_30", "currency": "USD",
        "issued_on": today, "due_on": today + timedelta(days=30), "note": "Thank you.",
        "bill_to_name": "Ruth Alvarez", "bill_to_email": "ruth@example.com",
        "bill_to_address": "40 Oak Ave\nSpringfield, IL 62704", "sent_at": datetime.now(UTC),
        "voided_at": None, "void_reason": "", "paid": Decimal("1500.00"),
        "balance": totals.total - Decimal("1500.00"),
    }  # fmt: skip
    return invoice_document.Document(LETTERHEAD, invoice, lines, rates, totals, payments)


def measure(
    app: Flask, template: str, context: dict[str, Any], renders: int = RENDERS
) -> tuple[list[float], list[float], int]:
    """Milliseconds per PDF, per HTML rendering, and the PDF's size in bytes."""
    pdf_ms, html_ms, size = [], [], 0
    with app.test_request_context():
        size = len(documents.pdf(template, **context))  # warm: fonts, templates
        for _ in range(renders):
            began = time.perf_counter()
            documents.html(template, **context)
            html_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            documents.pdf(template, **context)
            pdf_ms.append((time.perf_counter() - began) * 1000)
    return pdf_ms, html_ms, size


def run() -> list[Row]:
    app = create_app()
    logo = documents.data_url(_png((600, 200), (11, 92, 173)))
    cases = [
        (
            "estimate",
            "3 options x 4 lines, logo and signature",
            document.TEMPLATE,
            {
                **document.context(estimate_document(), approval_note=" on the link"),
                "logo_src": logo,
                "signature_src": documents.data_url(_png((340, 160), (255, 255, 255))),
            },
        ),
        (
            "invoice",
            "12 lines, 2 taxes, 2 payments, logo",
            invoice_document.TEMPLATE,
            {**invoice_document.context(invoice_document_of_twelve_lines()), "logo_src": logo},
        ),
    ]
    rows = []
    for name, what, template, context in cases:
        pdf_ms, html_ms, size = measure(app, template, context)
        pdf_p50, pdf_p95 = p50_p95(pdf_ms)
        html_p50, html_p95 = p50_p95(html_ms)
        note = f"{what}; {len(pdf_ms)} renders; {size:,} bytes"
        rows += [
            row("documents", f"{name} PDF p50 (ms)", pdf_p50, html_p50, "< 500 ms", note),
            row("documents", f"{name} PDF p95 (ms)", pdf_p95, html_p95, "< 1,000 ms", "HTML only"),
        ]
    for r in rows:
        print(f"{r['measure']}: {r['value']:.0f} (HTML only: {r['baseline']:.1f})")
    return rows


if __name__ == "__main__":
    print(markdown(run()))
