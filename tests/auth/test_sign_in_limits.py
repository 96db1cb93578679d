"""Brute force against sign-in is paused per account and per client address (P-06)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.auth.support import sign_in_response, text

pytestmark = pytest.mark.promise("P-06")

ACCOUNT_LIMIT = 5  # failures per account in 15 minutes
ADDRESS_LIMIT = 20  # failures per client address in 15 minutes
WRONG = "a wrong guess at the password"
OTHER_ADDRESS = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}


def fail(client, email: str, times: int, **kwargs) -> None:
    for _ in range(times):
        assert sign_in_response(client, email, WRONG, **kwargs).status_code == 401


def failures(admin) -> dict[str, int]:
    rows = admin.execute(
        "select subject, count(*) as n from iam.sign_in_failures group by subject"
    ).fetchall()
    return {row["subject"]: row["n"] for row in rows}


def test_failures_are_kept_although_the_failed_request_rolled_back(client, admin, make):
    owner = make.tenant().owner
    assert sign_in_response(client, owner.email, WRONG).status_code == 401
    assert failures(admin) == {f"account:{owner.email}": 1, "address:127.0.0.1": 1}


def test_after_five_failures_even_the_right_password_is_refused(client, admin, make):
    owner = make.tenant().owner
    fail(client, owner.email, ACCOUNT_LIMIT)

    response = sign_in_response(client, owner.email, factories.PASSWORD)

    assert response.status_code == 429
    assert "Too many sign-in attempts. Wait 15 minutes" in text(response)
    assert client.get("/").headers["Location"] == "/sign-in"
    # The pause holds for that account from any address.
    assert (
        sign_in_response(client, owner.email, factories.PASSWORD, **OTHER_ADDRESS).status_code
        == 429
    )
    # Refused attempts are not counted: the pause ends 15 minutes after the fifth failure.
    assert failures(admin)[f"account:{owner.email}"] == ACCOUNT_LIMIT


def test_unknown_email_is_paused_the_same_way(client):
    fail(client, "nobody@example.com", ACCOUNT_LIMIT)
    assert sign_in_response(client, "nobody@example.com", WRONG).status_code == 429


def test_pause_ends_when_the_failures_are_older_than_the_window(client, admin, make):
    owner = make.tenant().owner
    fail(client, owner.email, ACCOUNT_LIMIT)
    admin.execute("update iam.sign_in_failures set failed_at = now() - interval '16 minutes'")
    assert sign_in_response(client, owner.email, factories.PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_account_count_but_not_the_address(client, admin, make):
    owner = make.tenant().owner
    fail(client, owner.email, 2)
    client.sign_in(owner.email)
    assert failures(admin) == {"address:127.0.0.1": 2}


def test_other_accounts_from_the_same_address_work_until_the_address_limit(
    client, app, admin, make
):
    tenant = make.tenant()
    paused = tenant.owner
    colleague = make.member(tenant.id, "dispatcher")
    latecomer = make.member(tenant.id, "technician")

    fail(client, paused.email, ACCOUNT_LIMIT)
    assert sign_in_response(client, paused.email, factories.PASSWORD).status_code == 429
    app.test_client().sign_in(colleague.email)

    # Guesses spread over many accounts (most of them here made directly in the table, to
    # save time) reach the address limit: one failure short of 20 still lets people in...
    short = ADDRESS_LIMIT - ACCOUNT_LIMIT - 1
    admin.execute(
        "insert into iam.sign_in_failures (subject) select 'address:127.0.0.1'"
        " from generate_series(1, %s)",
        (short,),
    )
    assert failures(admin)["address:127.0.0.1"] == ADDRESS_LIMIT - 1
    app.test_client().sign_in(colleague.email)
    # ...the 20th failure pauses every account from that address.
    fail(client, "guess@example.com", 1)
    response = sign_in_response(app.test_client(), latecomer.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in text(response)

    # The same account from another address is not paused.
    elsewhere = app.test_client()
    response = sign_in_response(elsewhere, latecomer.email, factories.PASSWORD, **OTHER_ADDRESS)
    assert response.status_code == 302
    assert elsewhere.get("/").status_code == 200
