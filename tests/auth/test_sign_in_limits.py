"""Brute force against sign-in is paused per (account, address), per account and per client
address (P-06), without handing an attacker a lever to lock the owner out from one address."""

from __future__ import annotations

import pytest

from tests import factories
from tests.auth.support import sign_in_response, text

pytestmark = pytest.mark.promise("P-06")

PAIR_LIMIT = 5  # wrong passwords per (account, client address) in 15 minutes
ACCOUNT_LIMIT = 20  # per account, from all addresses together
ADDRESS_LIMIT = 20  # per client address, at all accounts together
WRONG = "a wrong guess at the password"
HOME = "127.0.0.1"  # the test client's address


def at(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def fail(client, email: str, times: int, **kwargs) -> None:
    for _ in range(times):
        assert sign_in_response(client, email, WRONG, **kwargs).status_code == 401


def attempts(admin) -> dict[tuple[str, str], int]:
    rows = admin.execute(
        "select subject, address, count(*) as n from iam.sign_in_attempts"
        " where kind = 'password' group by subject, address"
    ).fetchall()
    return {(row["subject"], row["address"]): row["n"] for row in rows}


def guesses_from_elsewhere(admin, email: str, addresses: int) -> None:
    """Wrong passwords at `email` from many addresses, recorded directly to save time."""
    admin.execute(
        "insert into iam.sign_in_attempts (kind, subject, address, finished_at)"
        " select 'password', %(email)s, '203.0.113.' || n, now()"
        " from generate_series(1, %(n)s) n",
        {"email": email, "n": addresses},
    )


def test_attempts_are_kept_although_the_failed_request_rolled_back(client, admin, make):
    owner = make.tenant().owner
    assert sign_in_response(client, owner.email, WRONG).status_code == 401
    assert attempts(admin) == {(owner.email, HOME): 1}


def test_five_wrong_passwords_pause_that_address_but_not_the_owner_elsewhere(
    client, app, admin, make
):
    owner = make.tenant().owner
    fail(client, owner.email, PAIR_LIMIT)

    response = sign_in_response(client, owner.email, factories.PASSWORD)

    assert response.status_code == 429
    assert "Too many sign-in attempts. Wait 15 minutes" in text(response)
    assert client.get("/").headers["Location"] == "/sign-in"
    # Refused attempts are not counted: the pause ends 15 minutes after the fifth failure.
    assert attempts(admin) == {(owner.email, HOME): PAIR_LIMIT}
    # One address cannot lock the owner out: from their own network they still get in.
    elsewhere = app.test_client()
    assert (
        sign_in_response(
            elsewhere, owner.email, factories.PASSWORD, **at("198.51.100.7")
        ).status_code
        == 302
    )
    assert elsewhere.get("/").status_code == 200


def test_unknown_email_is_paused_the_same_way(client):
    fail(client, "nobody@example.com", PAIR_LIMIT)
    assert sign_in_response(client, "nobody@example.com", WRONG).status_code == 429


def test_pause_ends_when_the_attempts_are_older_than_the_window(client, admin, make):
    owner = make.tenant().owner
    fail(client, owner.email, PAIR_LIMIT)
    admin.execute("update iam.sign_in_attempts set created_at = now() - interval '16 minutes'")
    assert sign_in_response(client, owner.email, factories.PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_that_address_only(client, admin, make):
    owner = make.tenant().owner
    fail(client, owner.email, 2)
    fail(client, owner.email, 1, **at("198.51.100.7"))
    client.sign_in(owner.email)
    assert attempts(admin) == {(owner.email, "198.51.100.7"): 1}


def test_guesses_from_many_addresses_pause_the_account_at_twenty(app, admin, make):
    owner = make.tenant().owner
    # 19 wrong passwords from 19 addresses: the owner still gets in from a 20th...
    guesses_from_elsewhere(admin, owner.email, ACCOUNT_LIMIT - 2)
    fail(app.test_client(), owner.email, 1, **at("203.0.113.200"))
    owner_browser = app.test_client()
    assert (
        sign_in_response(
            owner_browser, owner.email, factories.PASSWORD, **at("192.0.2.1")
        ).status_code
        == 302
    )
    owner_browser.submit("/sign-out")

    # ...but the 20th wrong one pauses the account from every address (a distributed attack
    # gets 20 guesses per 15 minutes, no more).
    fail(app.test_client(), owner.email, 1, **at("203.0.113.201"))
    response = sign_in_response(
        app.test_client(), owner.email, factories.PASSWORD, **at("192.0.2.2")
    )
    assert response.status_code == 429

    # Proving the email (a finished reset or an unlock link) lifts the pause.
    admin.execute("select iam.lift_sign_in_pause(%s)", (owner.account_id,))
    assert attempts(admin) == {}
    response = sign_in_response(
        app.test_client(), owner.email, factories.PASSWORD, **at("192.0.2.2")
    )
    assert response.status_code == 302


def test_a_new_password_lifts_the_pause(client, app, admin, make):
    owner = make.tenant().owner
    fail(client, owner.email, PAIR_LIMIT)
    admin.execute(
        "update iam.accounts set password_hash = %s where id = %s",
        ("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$aGFzaA", owner.account_id),
    )
    assert attempts(admin) == {}


def test_other_accounts_from_the_same_address_work_until_the_address_limit(
    client, app, admin, make
):
    tenant = make.tenant()
    paused = tenant.owner
    colleague = make.member(tenant.id, "dispatcher")
    latecomer = make.member(tenant.id, "technician")

    fail(client, paused.email, PAIR_LIMIT)
    assert sign_in_response(client, paused.email, factories.PASSWORD).status_code == 429
    app.test_client().sign_in(colleague.email)

    # Guesses spread over many accounts (most of them here made directly in the table, to
    # save time) reach the address limit: one failure short of 20 still lets people in...
    admin.execute(
        "insert into iam.sign_in_attempts (kind, subject, address, finished_at)"
        " select 'password', 'guess' || n || '@example.com', %(home)s, now()"
        " from generate_series(1, %(n)s) n",
        {"home": HOME, "n": ADDRESS_LIMIT - PAIR_LIMIT - 1},
    )
    app.test_client().sign_in(colleague.email)
    # ...the 20th failure pauses every account from that address.
    fail(client, "guess@example.com", 1)
    response = sign_in_response(app.test_client(), latecomer.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in text(response)

    # The same account from another address is not paused.
    elsewhere = app.test_client()
    response = sign_in_response(
        elsewhere, latecomer.email, factories.PASSWORD, **at("198.51.100.7")
    )
    assert response.status_code == 302
    assert elsewhere.get("/").status_code == 200
