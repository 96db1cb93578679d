"""Data goes only to the listed processors (P-18): with every provider configured (each
against its loopback server), a whole flow in the app and a pass of the worker contact the
database and those servers, and nothing else. Every connection the process opens, on any
thread, is recorded by an audit hook; each processor must have been contacted, so a flow that
reached none of them cannot pass.

A processor is one entry of `processors` (its name and its server's addresses). The database
is reached by libpq, in C, which Python's audit hooks do not see; its address is allowed, not
required."""

from __future__ import annotations

import base64
import dataclasses
import secrets
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import sentry_sdk
from psycopg_pool import ConnectionPool

from app import create_app
from app.config import Settings
from app.integrations.email import SendGridAccount
from app.integrations.sms import TwilioAccount
from app.messaging.outgoing import Draft, queue
from jobs import REGISTRY, Job
from jobs.__main__ import main
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.geocoding.conftest import add_property
from tests.geocoding.maps_server import KEY as MAPS_KEY
from tests.geocoding.maps_server import FakeMaps
from tests.geocoding.maps_server import running as maps_running
from tests.integrations.storage_server import StorageServer
from tests.messaging.providers import SendGridServer, TwilioServer, twilio_sid
from tests.messaging.support import connect, daytime_zone
from tests.observability.sentry_server import SentryServer
from tests.payments.conftest import connect as connect_stripe
from tests.payments.stripe_server import FakeStripe
from tests.payments.stripe_server import running as stripe_running

Address = tuple[str, int]


class Connections:
    """Every address the process connects to and every name it looks up while `on`. An audit
    hook cannot be removed, so one is added for the whole run and switched."""

    def __init__(self) -> None:
        self.on = False
        self.addresses: list[Address | str] = []
        self.names: list[str] = []
        sys.addaudithook(self._audit)

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.on:
            return
        if event == "socket.connect":
            address = args[1]
            self.addresses.append(address if isinstance(address, str) else tuple(address[:2]))
        elif event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
            self.names.append(host)


CONNECTIONS = Connections()


def address_of(url: str) -> Address:
    parts = urlsplit(url)
    assert parts.hostname and parts.port, url
    return parts.hostname, parts.port


@pytest.fixture(scope="module")
def stripe_server() -> Iterator[FakeStripe]:
    with stripe_running() as fake:
        yield fake


@pytest.fixture(scope="module")
def maps_server() -> Iterator[FakeMaps]:
    with maps_running() as fake:
        yield fake


@pytest.fixture(scope="module")
def twilio_server() -> Iterator[TwilioServer]:
    server = TwilioServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def sendgrid_server() -> Iterator[SendGridServer]:
    server = SendGridServer()
    yield server
    server.close()


@pytest.fixture
def processors(
    stripe_server: FakeStripe,
    twilio_server: TwilioServer,
    sendgrid_server: SendGridServer,
    maps_server: FakeMaps,
    storage_server: StorageServer,
    sentry: SentryServer,
) -> dict[str, set[Address]]:
    """The listed processors (PROMISES.md P-18) and the addresses that stand for each."""
    return {
        # The app calls the Checkout server, which hands the API calls to localstripe.
        "Stripe": {address_of(stripe_server.url), address_of(stripe_server.localstripe)},
        "Twilio": {address_of(twilio_server.url)},
        "SendGrid": {address_of(sendgrid_server.url)},
        "Google Maps": {address_of(maps_server.url)},
        "Supabase Storage": {address_of(storage_server.url)},
        "Sentry": {(sentry.host, sentry.port)},
    }


@pytest.fixture
def settings(
    database: TestDatabase,
    stripe_server: FakeStripe,
    twilio_server: TwilioServer,
    sendgrid_server: SendGridServer,
    maps_server: FakeMaps,
    storage_server: StorageServer,
    sentry: SentryServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """Every provider configured, for the app and, through its environment, the worker."""
    settings = make_settings(
        database,
        stripe_api_base=stripe_server.url,
        twilio_api_base=twilio_server.url,
        sendgrid_api_base=sendgrid_server.url,
        google_maps_api_base=maps_server.url,
        google_maps_key=MAPS_KEY,
        supabase_url=storage_server.url,
        supabase_service_role_key=storage_server.key,
        sentry_dsn=sentry.dsn,
    )
    environment = {
        "PLENUM_ENV": "test",
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": database.app_url,
        "WORKER_DATABASE_URL": database.worker_url,
        "ENCRYPTION_KEY": base64.b64encode(settings.encryption_key).decode(),
        "FILES_DIR": settings.files_dir,
        "PUBLIC_URL": settings.public_url,
        "STRIPE_API_BASE": stripe_server.url,
        "TWILIO_API_BASE": twilio_server.url,
        "SENDGRID_API_BASE": sendgrid_server.url,
        "GOOGLE_MAPS_API_BASE": maps_server.url,
        "GOOGLE_MAPS_API_KEY": MAPS_KEY,
        "SUPABASE_URL": storage_server.url,
        "SUPABASE_SERVICE_ROLE_KEY": storage_server.key,
        "SENTRY_DSN": sentry.dsn,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return settings


def messaging_company(
    admin: Any,
    settings: Settings,
    tenant_id: Any,
    twilio_server: TwilioServer,
    sendgrid_server: SendGridServer,
) -> None:
    """The company's own Twilio and SendGrid accounts, known to the loopback servers, in a
    time zone where texts may go now."""
    twilio = TwilioAccount(
        twilio_sid("AC"), secrets.token_hex(16), "+1555" + str(secrets.randbelow(10**7)), ""
    )
    sendgrid = SendGridAccount(
        "SG." + secrets.token_urlsafe(16) + "." + secrets.token_urlsafe(32),
        "office@acme-hvac.example",
        "Acme Heating",
    )
    twilio_server.add_account(twilio.account_sid, twilio.auth_token)
    sendgrid_server.add_key(sendgrid.api_key)
    admin.execute(
        "update public.tenants set time_zone = %s, address = '1 Main St, Springfield'"
        " where id = %s",
        [daytime_zone(admin), tenant_id],
    )
    connect(admin, settings, tenant_id, twilio, sendgrid, rate=100)


def queue_work(admin: Any, make: Factory, tenant_id: Any) -> str:
    """Work for the worker: a customer's property to place on the map, a text and an email to
    send them, a discarded photo to delete from Storage; the customer's phone number."""
    phone = "+1508" + str(secrets.randbelow(10**7)).zfill(7)
    email = f"pat{phone[1:]}@example.com"
    customer = make.customer(tenant_id, phone=phone, email=email)
    add_property(admin, tenant_id, customer, "01545")
    text = Draft(tenant_id, "sms", "visit_reminder", phone, "See you at 9", customer_id=customer)
    for draft in (text, dataclasses.replace(text, channel="email", to=email, subject="Visit")):
        assert queue(admin, dataclasses.replace(draft, occasion="1")) is not None
    admin.execute(
        "insert into app.discarded_files (storage_key) values (%s)",
        [f"{tenant_id}/visits/{secrets.token_hex(8)}/photo.jpg"],
    )
    return phone


def explode(_pool: ConnectionPool) -> int:
    raise RuntimeError("a job failed, and Sentry hears of it")


@pytest.mark.promise("P-18")
def test_a_whole_flow_and_a_worker_pass_contact_only_the_listed_processors(
    settings: Settings,
    processors: dict[str, set[Address]],
    database: TestDatabase,
    admin: Any,
    make: Factory,
    stripe_server: FakeStripe,
    twilio_server: TwilioServer,
    sendgrid_server: SendGridServer,
    maps_server: FakeMaps,
    storage_server: StorageServer,
    sentry: SentryServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(settings)
    app.test_client_class = Client
    monkeypatch.setitem(REGISTRY, "explodes", Job("explodes", 60, explode))
    CONNECTIONS.on, CONNECTIONS.addresses, CONNECTIONS.names = True, [], []
    try:
        shop = connect_stripe(app.test_client(), make, admin)  # type: ignore[arg-type]
        invoice = make.invoice(shop.tenant.id, lines=("100.00",), status="sent")
        paying = shop.client.submit(f"/invoices/{invoice}/pay-online")
        assert paying.status_code == 303
        messaging_company(admin, settings, shop.tenant.id, twilio_server, sendgrid_server)
        phone = queue_work(admin, make, shop.tenant.id)
        with pytest.raises(SystemExit, match=r"^1 job\(s\) failed"):  # the one made to fail
            main(["--once"])  # the worker as deployed, every job registered, in this process
        sentry_sdk.flush(timeout=10)
    finally:
        CONNECTIONS.on = False
        app.extensions["plenum.pool"].close()

    database_address = address_of(database.app_url)
    allowed = set().union(*processors.values()) | {database_address}
    assert [a for a in CONNECTIONS.addresses if a not in allowed] == []
    assert set(CONNECTIONS.names) <= {host for host, _ in allowed}
    contacted = [name for name, addresses in processors.items()
                 if addresses & set(CONNECTIONS.addresses)]  # fmt: skip
    assert contacted == list(processors)
    assert twilio_server.received(to=phone) and sendgrid_server.received()
    assert maps_server.asked("geocode") and stripe_server.sessions and sentry.events()
    assert storage_server.requests
