"""The client's address is read the way the deployment documents it, never from a header a
client can set when it reaches the app directly; the HTTPS redirect goes to the configured
public address, never to the request's Host (DESIGN.md §4; issue: the proxy's address)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.db import Connection
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import PASSWORD, Factory

HTTPS = "https://plenum.test"
PROXY = "172.16.0.9"  # the platform's proxy, the socket peer of every proxied request


def production(database: TestDatabase, **settings: Any) -> Flask:
    application = create_app(
        make_settings(database, env="production", public_url=HTTPS, **settings)
    )
    application.test_client_class = Client
    return application


@pytest.fixture
def fly_app(database: TestDatabase) -> Iterator[Flask]:
    application = production(database, client_address_header="Fly-Client-IP")
    yield application
    application.extensions["plenum.pool"].close()


@pytest.fixture
def direct_app(database: TestDatabase) -> Iterator[Flask]:
    """Production with no proxy header configured: the app is reached directly."""
    application = production(database)
    yield application
    application.extensions["plenum.pool"].close()


def sign_in(client: Client, email: str, password: str, headers: dict[str, str]) -> int:
    page = client.get("/sign-in", base_url=HTTPS, headers=headers)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    response = client.post(
        "/sign-in",
        base_url=HTTPS,
        headers={**headers, "Referer": f"{HTTPS}/sign-in"},
        data={"csrf_token": token.group(1), "email": email, "password": password},
    )
    return response.status_code


def add_customer(client: Client) -> None:
    """A change, so that the audit log records the request's client address."""
    page = client.get("/customers/new", base_url=HTTPS)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    created = client.post(
        "/customers/new",
        base_url=HTTPS,
        headers={"Referer": f"{HTTPS}/customers/new"},
        data={"csrf_token": token.group(1), "kind": "residential", "first_name": "Ada"},
    )
    assert created.status_code == 302, created.get_data(as_text=True)


def audited_addresses(admin: Connection, tenant_id: object) -> set[str]:
    rows = admin.execute(
        "select distinct client_addr from audit.changes where tenant_id = %(t)s"
        " and client_addr is not null",
        {"t": tenant_id},
    ).fetchall()
    return {row["client_addr"] for row in rows}


@pytest.mark.promise("P-06")
def test_visitors_behind_the_proxy_are_told_apart(fly_app: Flask, make: Factory) -> None:
    """21 wrong passwords from 21 visitors do not pause sign-in for anyone else."""
    owner = make.tenant("Unrelated Air").owner
    for n in range(21):
        visitor = Client(fly_app)
        headers = {"Fly-Client-IP": f"203.0.113.{n + 1}"}
        assert sign_in(visitor, f"guess{n}@example.com", "wrong", headers) == 401
    owner_client = Client(fly_app)
    headers = {"Fly-Client-IP": "198.51.100.7"}
    assert sign_in(owner_client, owner.email, PASSWORD, headers) == 302


def test_the_configured_header_names_the_client_in_the_audit_log(
    fly_app: Flask, make: Factory, admin: Connection
) -> None:
    company = make.tenant("Alpha Air")
    client = Client(fly_app)
    headers = {"Fly-Client-IP": "2001:db8::1", "X-Forwarded-For": "10.9.9.9"}
    client.environ_base["REMOTE_ADDR"] = PROXY
    assert sign_in(client, company.owner.email, PASSWORD, headers) == 302
    client.environ_base["HTTP_FLY_CLIENT_IP"] = "2001:db8::1"
    add_customer(client)
    assert audited_addresses(admin, company.id) == {"2001:db8::1"}


@pytest.mark.parametrize("forged", ["X-Forwarded-For", "Fly-Client-IP", "X-Real-IP"])
def test_reached_directly_no_header_a_client_sends_is_believed(
    direct_app: Flask, make: Factory, admin: Connection, forged: str
) -> None:
    company = make.tenant("Alpha Air")
    client = Client(direct_app)
    client.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    assert sign_in(client, company.owner.email, PASSWORD, {forged: "203.0.113.66"}) == 302
    client.environ_base["HTTP_" + forged.upper().replace("-", "_")] = "203.0.113.66"
    add_customer(client)
    addresses = audited_addresses(admin, company.id)
    assert addresses == {"192.0.2.50"}


def test_the_header_counts_only_from_a_trusted_proxy(database: TestDatabase) -> None:
    application = production(
        database,
        client_address_header="Fly-Client-IP",
        trusted_proxies=(ipaddress.ip_network("172.16.0.0/12"),),
    )
    seen: list[str | None] = []

    @application.get("/_probe")
    def probe() -> str:
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    try:
        client = application.test_client()
        for peer in (PROXY, "192.0.2.50"):
            client.get(
                "/_probe",
                base_url=HTTPS,
                environ_base={"REMOTE_ADDR": peer},
                headers={"Fly-Client-IP": "203.0.113.5"},
            )
        client.get(
            "/_probe",
            base_url=HTTPS,
            environ_base={"REMOTE_ADDR": PROXY},
            headers={"Fly-Client-IP": "not an address"},
        )
    finally:
        application.extensions["plenum.pool"].close()
    assert seen == ["203.0.113.5", "192.0.2.50", PROXY]


@pytest.mark.promise("P-20")
def test_the_https_redirect_goes_to_the_public_address_whatever_the_host(
    direct_app: Flask,
) -> None:
    client = direct_app.test_client()
    response = client.get("/team?page=2", base_url="http://evil.example")
    assert response.status_code == 308
    assert response.headers["Location"] == f"{HTTPS}/team?page=2"
    spoofed = client.get(
        "/sign-in",
        base_url="http://plenum.test",
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert spoofed.headers["Location"] == f"{HTTPS}/sign-in"
