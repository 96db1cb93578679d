"""The portal's colour-scheme preference (issue 14, point 5; P-19): light, dark or the device's,
kept in one functional cookie and applied server-side (no inline script or style)."""

from __future__ import annotations

import re

import pytest

from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.portal.support import sign_in

pytestmark = pytest.mark.promise("P-19")

SCHEME = re.compile(r'<html lang="en" data-scheme="([a-z]+)">')


def scheme_of(client: Client, path: str = "/portal/") -> str | None:
    match = SCHEME.search(client.get(path).get_data(as_text=True))
    return match.group(1) if match else None


def test_the_chosen_scheme_colours_every_portal_page(
    client: Client, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    sign_in(client, admin, tenant.id, make.customer(tenant.id))
    assert scheme_of(client) == "system"  # the device's, until one is chosen
    assert 'name="scheme" type="radio" value="dark"' in client.get("/portal/").get_data(
        as_text=True
    )

    chosen = client.submit("/portal/colour-scheme", {"scheme": "dark", "next": "/portal/"})

    assert chosen.status_code == 303 and chosen.headers["Location"] == "/portal/"
    assert scheme_of(client) == "dark"
    client.submit("/portal/colour-scheme", {"scheme": "light", "next": "/portal/"})
    assert scheme_of(client) == "light"


def test_the_sign_in_page_follows_the_preference_too(client: Client) -> None:
    client.submit("/portal/colour-scheme", {"scheme": "dark", "next": "/portal/sign-in"})

    assert scheme_of(client, "/portal/sign-in") == "dark"


def test_staff_pages_keep_their_colours(client: Client, make: Factory) -> None:
    tenant = make.tenant()
    client.submit("/portal/colour-scheme", {"scheme": "dark"})
    client.sign_in(tenant.owner.email)

    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)


def test_an_unknown_scheme_or_a_foreign_next_changes_nothing(client: Client) -> None:
    response = client.submit(
        "/portal/colour-scheme", {"scheme": "neon", "next": "https://evil.example/"}
    )

    assert response.status_code == 303 and response.headers["Location"] == "/portal/"
    assert "plenum_scheme" not in " ".join(response.headers.getlist("Set-Cookie"))
    client.set_cookie("plenum_scheme", "<script>")
    assert scheme_of(client, "/portal/sign-in") == "system"
