"""Estimates on paper: the office's PDF (a recorded read) shows the company, its logo, the
estimate's options with their totals and taxes, and who approved it with their signature; the
homeowner's PDF is served only to the browser that holds the link; another company's estimate
is not found; technicians are refused; and the renderer never fetches anything from outside."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader

from app import company, db, documents, paper
from app.db import Connection
from app.estimates import document, service
from tests.conftest import Client
from tests.estimates.test_estimates import Office, add_line, options_of, start
from tests.estimates.test_links import approve, opened, status_of
from tests.factories import Factory
from tests.policies.identity import claims_of
from tests.technician.support import png


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def images_in(data: bytes) -> int:
    """The different pictures in the PDF (pages may share one resource list)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return len({image.data for page in pages for image in page.images})


@pytest.fixture
def office(make: Factory, client: Client, admin: Connection) -> Office:
    found = Office(make, client)
    admin.execute(
        "update public.tenants set licence_number = 'HVAC-123456', phone = '+13125550123',"
        " address = '12 Elm St' || chr(10) || 'Springfield, IL 62701' where id = %s",
        [found.tenant.id],
    )
    return found


def three_options(client: Client, office: Office, admin: Connection) -> UUID:
    """EST-1001 with Good, Better and Best, sent by link."""
    estimate = start(client, office)
    for name in ("Better", "Best"):
        client.submit(f"/estimates/{estimate}/options", {"new-option-name": name})
    options = options_of(admin, estimate)
    for position, (name, price) in enumerate(
        [("Recommended", "4200.00"), ("Better", "5600.00"), ("Best", "6900.00")]
    ):
        add_line(client, options[name], position, unit_price=price)
        add_line(client, options[name], position, description="Permit", unit_price="85.00")
    return estimate


def send(client: Client, estimate: UUID) -> str:
    response = client.submit(f"/estimates/{estimate}/send", {"to": ""})
    assert response.status_code == 302
    with client.session_transaction() as kept:
        return str(kept["estimate_link_shown"][1]).rsplit("/", 1)[1]


def upload_logo(app: Flask, owner_email: str) -> None:
    manager: Client = app.test_client()  # type: ignore[assignment]
    manager.sign_in(owner_email)
    out = io.BytesIO()
    Image.new("RGB", (400, 120), (11, 92, 173)).save(out, "PNG")
    response = manager.post(
        "/company/logo",
        data={"csrf_token": manager.csrf_token(), "logo": (io.BytesIO(out.getvalue()), "l.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303


def test_the_office_pdf_shows_the_company_the_options_and_the_approval(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate = three_options(client, office, admin)
    token = send(client, estimate)
    best = options_of(admin, estimate)["Best"]
    assert approve(opened(app, token), estimate, best).status_code == 303
    assert status_of(admin, estimate)["status"] == "approved"
    before = admin.execute("select coalesce(max(id), 0) as n from audit.changes").fetchone()

    response = client.get(f"/estimates/{estimate}/estimate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="EST-1001.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert office.tenant.name in text
    assert "Licence HVAC-123456" in text and "Springfield, IL 62701" in text
    assert "+13125550123" in text
    assert "EST-1001" in text and "Ruth Alvarez" in text and "12 Elm St" in text
    # Each option's total: price + 85.00 permit, with City 2.25% and State 6.25% on both.
    for total in ("$4,649.22", "$6,168.22", "$7,578.72"):
        assert total in text, total
    assert "State 6.25%" in text and "City 2.25%" in text
    assert "Approved by Ruth Alvarez" in text
    assert images_in(response.data) == 1  # the signature (no logo yet)
    reads = admin.execute(
        "select new_values from audit.changes where operation = 'access' and id > %s"
        " and table_name = 'public.estimates'",
        [before["n"] if before else 0],
    ).fetchall()
    assert [r["new_values"] for r in reads] == [{"view": "estimate", "format": "pdf"}]


def test_the_pdf_renders_with_the_logo_and_the_page_shows_it_too(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate = three_options(client, office, admin)
    send(client, estimate)
    without = client.get(f"/estimates/{estimate}/estimate.pdf")
    assert images_in(without.data) == 0
    upload_logo(app, office.tenant.owner.email)
    response = client.get(f"/estimates/{estimate}/estimate.pdf")
    assert response.status_code == 200 and images_in(response.data) == 1
    page = client.get(f"/estimates/{estimate}").get_data(as_text=True)
    assert 'class="logo" src="data:image/png;base64,' in page


def test_another_companys_estimate_pdf_is_not_found_and_a_technician_is_refused(
    app: Flask, client: Client, office: Office, admin: Connection, make: Factory
) -> None:
    estimate = three_options(client, office, admin)
    stranger: Client = app.test_client()  # type: ignore[assignment]
    stranger.sign_in(make.member(make.tenant().id, "owner").email)
    assert stranger.get(f"/estimates/{estimate}/estimate.pdf").status_code == 404
    tech: Client = app.test_client()  # type: ignore[assignment]
    tech.sign_in(make.member(office.tenant.id, "technician").email)
    assert tech.get(f"/estimates/{estimate}/estimate.pdf").status_code == 403
    assert app.test_client().get(f"/estimates/{estimate}/estimate.pdf").status_code in (302, 401)


def test_the_homeowners_pdf_is_only_for_the_browser_holding_the_link(
    app: Flask, client: Client, office: Office, admin: Connection
) -> None:
    estimate = three_options(client, office, admin)
    token = send(client, estimate)
    homeowner = opened(app, token)
    page = homeowner.get(f"/estimate/view/{estimate}").get_data(as_text=True)
    assert f'href="/estimate/view/{estimate}/estimate.pdf"' in page
    response = homeowner.get(f"/estimate/view/{estimate}/estimate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="EST-1001.pdf"'
    assert response.headers["Referrer-Policy"] == "no-referrer"
    text = pdf_text(response.data)
    assert office.tenant.name in text and "EST-1001" in text and "$7,578.72" in text
    # No token in this browser: nothing, for the estimate or for any other.
    assert app.test_client().get(f"/estimate/view/{estimate}/estimate.pdf").status_code == 404
    assert client.get(f"/estimate/view/{estimate}/estimate.pdf").status_code == 404
    # The link withdrawn: the browser that held it gets nothing either.
    link = admin.execute(
        "select id from public.estimate_links where estimate_id = %s", [estimate]
    ).fetchone()
    assert link is not None
    assert client.submit(f"/estimates/links/{link['id']}/revoke").status_code == 302
    assert homeowner.get(f"/estimate/view/{estimate}/estimate.pdf").status_code == 404


class _Counting(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        _Counting.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png(4, 4))

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def outside() -> Iterator[str]:
    """A web server on this machine that would serve any image asked of it, and counts."""
    _Counting.requests = []
    server = HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_renderer_fetches_nothing_from_outside(
    app: Flask,
    client: Client,
    office: Office,
    admin: Connection,
    outside: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    estimate = three_options(client, office, admin)
    looked_up: list[Any] = []

    def no_lookups(*args: Any, **kwargs: Any) -> Any:
        looked_up.append(args[0])
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    with app.test_request_context():
        tenant_id = office.tenant.id
        db.set_claims(claims_of(office.tenant.owner))
        found = service.get(tenant_id, estimate, date.today())
        letterhead = company.letterhead(tenant_id)
        assert found is not None and letterhead is not None
        d = document.from_estimate(found, letterhead)
        for src in ("http://example.com/x.png", f"{outside}/x.png", "file:///etc/hostname"):
            context = {**document.context(d), "logo_src": src}
            data = documents.pdf(document.TEMPLATE, **context)
            assert "EST-1001" in pdf_text(data) and images_in(data) == 0, src
        inside = {**document.context(d), "logo_src": documents.data_url(png(8, 4))}
        assert images_in(documents.pdf(document.TEMPLATE, **inside)) == 1
    assert _Counting.requests == [] and looked_up == []


def test_the_fetcher_serves_only_static_files_and_data(app: Flask) -> None:
    fetcher = paper.LocalOnly(app.static_folder or "")
    css = fetcher.fetch(documents.STATIC_PREFIX + "document.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    assert fetcher.fetch(documents.data_url(b"\x89PNG")).read() == b"\x89PNG"
    for url in (
        "http://example.com/x.png",
        "https://document.plenum.invalid/etc/passwd",
        documents.STATIC_PREFIX + "../__init__.py",
        documents.STATIC_PREFIX + "%2e%2e/config.py",
        "file:///etc/passwd",
        "ftp://example.com/x",
    ):
        with pytest.raises(documents.Refused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6
