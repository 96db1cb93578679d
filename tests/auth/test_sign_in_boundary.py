"""The database boundary before sign-in: only the pre-sign-in role may take the steps, they
return verdicts and never a hash, and half-signed-in is not signed in (P-06)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from psycopg.rows import dict_row

from app import db
from app.auth import passwords
from tests import factories
from tests.auth.support import enrol, next_code, sign_in_response, start_two_step_sign_in
from tests.policies.identity import acting_as

pytestmark = pytest.mark.promise("P-06")

# Every function a request may call before anyone is signed in, or holding only a link's or a
# feed's token, and nothing else.
PRE_SIGN_IN = {
    # password sign-in and the second factor
    "iam.begin_sign_in(p_email text, p_address text)",
    "iam.finish_sign_in(p_attempt uuid, p_candidate text)",
    "iam.sign_in_challenge_is_open(p_secret text)",
    "iam.begin_second_factor(p_challenge text)",
    "iam.finish_second_factor(p_challenge text, p_attempt uuid, p_step bigint, p_recovery bytea[])",
    # emailed links: sign-up, reset, unlock, invitation
    "iam.start_sign_up(p_email text, p_full_name text, p_password_hash text,"
    " p_company_name text, p_time_zone text)",
    "iam.resend_sign_up(p_email text)",
    "iam.sign_up_to_confirm(p_token text)",
    "iam.finish_sign_up(p_token text)",
    "iam.request_password_reset(p_email text)",
    "iam.password_reset_is_open(p_token text)",
    "iam.finish_password_reset(p_token text, p_password_hash text)",
    "iam.request_sign_in_unlock(p_email text)",
    "iam.sign_in_unlock_is_open(p_token text)",
    "iam.use_sign_in_unlock(p_token text)",
    "iam.invitation(p_token text)",
    "iam.accept_invitation_with_new_account(p_token text, p_full_name text, p_password_hash text)",
    # a purged company's deletion certificate, read by its former owners' link
    "app.certificate_by_link(p_token text)",
    # a technician's calendar feed
    "app.calendar_feed_is_open(p_token text)",
    "app.calendar_feed_visits(p_token text)",
    # a homeowner's estimate link
    "app.estimate_link_place(p_token text)",
    # the deposit of an approved estimate, paid by the link's holder through Stripe Checkout
    "app.deposit_due(p_token text)",
    "app.begin_deposit_checkout(p_token text)",
    "app.deposit_checkout_opened(p_token text, p_attempt uuid, p_session text, p_url text)",
    # Stripe's webhook: the company found by its endpoint id, the event verified by the app
    "app.stripe_endpoint(p_endpoint text)",
    "app.apply_stripe_event(p_endpoint text, p_event jsonb)",
    "app.estimate_by_link(p_token text)",
    "app.approve_estimate_by_link(p_token text, p_option uuid, p_signed_by text,"
    " p_signature_key text)",
    "app.decline_estimate_by_link(p_token text, p_reason text)",
    "app.estimate_photo_by_link(p_token text, p_photo uuid)",
    # a homeowner's invoice link
    "app.invoice_link_place(p_token text)",
    "app.invoice_by_link(p_token text)",
    # an invoice's balance, paid by the link's holder through Stripe Checkout
    "app.invoice_payable_online(p_token text)",
    "app.begin_invoice_checkout_by_link(p_token text)",
    "app.invoice_checkout_opened(p_token text, p_attempt uuid, p_session text, p_url text)",
    # the one-click unsubscribe of a marketing email, and its page's question first
    "app.unsubscribe_by_link(p_token text)",
    # Twilio's webhooks: the company found by its endpoint id, the signature checked by the app
    "app.twilio_endpoint(p_endpoint text)",
    "app.receive_text(p_endpoint text, p_message_sid text, p_from text, p_to text, p_body text)",
    # A STOP to a closed company: only the opt-out is recorded (P-15).
    "app.receive_stop_while_closed(p_endpoint text, p_from text, p_body text)",
    "app.record_text_status(p_endpoint text, p_message_sid text, p_status text, p_failure text)",
    "app.unsubscribe_link_company(p_token text)",
    # a homeowner's link to their visit (in the booking confirmation and the reminder)
    "app.visit_link_place(p_token text)",
    "app.visit_by_link(p_token text)",
    # a homeowner's portal session, found by its secret
    "app.portal_session_of(p_token text)",
    # a homeowner's sign-in without a password: a code and a link, and a choice of account
    "app.request_portal_sign_in(p_address text)",
    "app.send_portal_sign_in(p_handle text)",
    "app.portal_sign_in_with_code(p_handle text, p_code text)",
    "app.portal_sign_in_link_is_open(p_token text)",
    "app.portal_sign_in_with_link(p_token text)",
    "app.portal_sign_in_choices(p_choice text)",
    "app.portal_sign_in_choose(p_choice text, p_customer uuid)",
    # the company's public booking page, by its published slug: the company's name and what it
    # books, live windows (starts and ends only), and a booking that always makes a new lead
    "app.public_booking_page(p_slug text)",
    "app.public_bookable_windows(p_slug text, p_kind text, p_from date DEFAULT NULL::date)",
    "app.book_online_as_new_customer(p_slug text, p_first_name text, p_last_name text,"
    " p_phone text, p_email text, p_street text, p_unit text, p_city text, p_region text,"
    " p_postal_code text, p_kind text, p_description text,"
    " p_window_starts_at timestamp with time zone)",
}
INTERNAL = (
    "iam.lift_sign_in_pause(uuid)",
    "iam.take_attempt(text, text, uuid, text, bytea)",
    "iam.password_settings(text, text)",
    "iam.open_sign_in_challenge(uuid, integer)",
    "iam.accept_second_factor(uuid, bigint, bytea[])",
    "iam.challenge_account(text)",
)


@contextmanager
def raw(database, role: str, claims: dict[str, Any] | None = None) -> Iterator[db.Connection]:
    """A transaction as the app's login role switched to `role`, as an attacker holding it
    would open one (each refused statement below runs in a savepoint of its own)."""
    with psycopg.connect(database.app_url, row_factory=dict_row) as conn, conn.transaction():
        db.begin(conn, {"role": role, **(claims or {})})
        yield conn


def one(conn: db.Connection, statement: str, params: Any = None) -> dict[str, Any]:
    row = conn.execute(statement, params).fetchone()
    assert row is not None
    return row


def refused(conn: db.Connection, statement: str, params: Any = None) -> bool:
    try:
        with conn.transaction():
            conn.execute(statement, params)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def definers_executable_by(admin, role: str) -> set[str]:
    rows = admin.execute(
        "select format('%%I.%%I(%%s)', n.nspname, p.proname,"
        "  pg_get_function_arguments(p.oid)) as name"
        " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname in ('public', 'iam', 'app', 'outbox', 'audit') and p.prosecdef"
        "   and has_function_privilege(%s, p.oid, 'execute')",
        (role,),
    ).fetchall()
    return {row["name"] for row in rows}


def test_only_the_pre_sign_in_role_takes_the_pre_sign_in_steps(admin):
    assert definers_executable_by(admin, "plenum_signin") == PRE_SIGN_IN
    for role in ("anon", "authenticated", "public"):
        assert not definers_executable_by(admin, role) & PRE_SIGN_IN, role
    for function in INTERNAL:
        for role in ("anon", "authenticated", "plenum_signin", "public"):
            row = admin.execute(
                "select has_function_privilege(%s, %s, 'execute') as can", (role, function)
            ).fetchone()
            assert row is not None and not row["can"], (role, function)
    # The function that handed out password hashes is gone.
    assert admin.execute("select to_regprocedure('iam.credentials(text)') as f").fetchone() == {
        "f": None
    }


def test_anon_cannot_take_a_step(database, make):
    owner = make.tenant().owner
    with raw(database, "anon") as conn:
        assert refused(conn, "select * from iam.begin_sign_in(%s, 'x')", (owner.email,))


def test_no_step_returns_a_password_hash(database, admin, make):
    owner = make.tenant().owner
    stored = one(
        admin, "select password_hash from iam.accounts where id = %s", (owner.account_id,)
    )["password_hash"]
    with raw(database, "plenum_signin") as conn:
        known = one(conn, "select * from iam.begin_sign_in(%s, 'x')", (owner.email,))
        unknown = [
            one(conn, "select * from iam.begin_sign_in('nobody@example.com', 'x')")
            for _ in range(2)
        ]
        other = one(conn, "select * from iam.begin_sign_in('else@example.com', 'x')")
        assert refused(conn, "select password_hash from iam.accounts")

    the_hash = stored.rsplit("$", 1)[1]
    assert the_hash not in str(known)
    assert known["settings"] == stored.rsplit("$", 1)[0] and known["hash_length"] == 32
    # An unknown email gets a salt of the same shape, the same each time, not computable outside.
    assert len(unknown[0]["settings"]) == len(known["settings"])
    assert unknown[0]["settings"] == unknown[1]["settings"] != other["settings"]
    assert unknown[0]["hash_length"] == 32


def test_an_attempt_is_compared_once(database, make):
    owner = make.tenant().owner
    with raw(database, "plenum_signin") as conn:
        begun = one(conn, "select * from iam.begin_sign_in(%s, 'x')", (owner.email,))
        right = passwords.candidate(factories.PASSWORD, begun["settings"], begun["hash_length"])
        wrong = passwords.candidate("wrong", begun["settings"], begun["hash_length"])
        finish = "select * from iam.finish_sign_in(%s, %s)"
        assert conn.execute(finish, (begun["attempt"], wrong)).fetchall() == []
        assert conn.execute(finish, (begun["attempt"], right)).fetchall() == []
        fresh = one(conn, "select * from iam.begin_sign_in(%s, 'x')", (owner.email,))
        verdict = one(conn, finish, (fresh["attempt"], right))
    assert verdict == {
        "account_id": owner.account_id,
        "session_version": 1,
        "mfa_enabled": False,
        "challenge": None,
    }


def test_the_pre_sign_in_role_cannot_clear_or_add_failures_for_an_account(
    database, app, admin, make
):
    owner = make.tenant().owner
    with raw(database, "plenum_signin") as conn:
        for statement in (
            "select iam.lift_sign_in_pause(%(a)s)",
            "select iam.take_attempt('password', %(e)s, %(a)s, 'x')",
            "delete from iam.sign_in_attempts",
            "insert into iam.sign_in_attempts (kind, subject) values ('password', %(e)s)",
        ):
            assert refused(conn, statement, {"a": owner.account_id, "e": owner.email}), statement
        # What it can do is what a wrong password does: five from its own address...
        for _ in range(5):
            conn.execute("select * from iam.begin_sign_in(%s, '203.0.113.9')", (owner.email,))
        paused = conn.execute(
            "select * from iam.begin_sign_in(%s, '203.0.113.9')", (owner.email,)
        ).fetchone()
        assert paused == {"attempt": None, "settings": None, "hash_length": None}
    # ...which pauses that address, not the owner.
    assert sign_in_response(app.test_client(), owner.email, factories.PASSWORD).status_code == 302


def mfa_owner(app, make):
    tenant = make.tenant()
    browser = app.test_client()
    browser.sign_in(tenant.owner.email)
    secret, _ = enrol(browser)
    return tenant, secret


def test_half_signed_in_claims_see_nothing(database, app, make):
    tenant, _ = mfa_owner(app, make)
    owner = tenant.owner
    claims = {"role": "authenticated", "sub": str(owner.account_id), "tenant_id": str(tenant.id)}
    checks = (
        "select app.tenant_id() as t, app.member_role() as r,"
        " (select count(*) from iam.accounts) as own,"
        " (select count(*) from iam.recovery_codes) as codes,"
        " (select count(*) from iam.my_companies()) as companies,"
        " (select count(*) from public.memberships) as team,"
        " (select count(*) from public.tenants) as company"
    )
    for aal in (None, "aal1", "AAL2"):
        with acting_as(database, claims | ({"aal": aal} if aal else {})) as conn:
            seen = conn.execute(checks).fetchone()
        assert seen == {
            "t": None,
            "r": None,
            "own": 0,
            "codes": 0,
            "companies": 0,
            "team": 0,
            "company": 0,
        }, aal
    # The zeros are the missing second factor: with it, the same claims see the company.
    with acting_as(database, claims | {"aal": "aal2"}) as conn:
        seen = conn.execute(checks).fetchone()
    assert seen == {
        "t": tenant.id,
        "r": "owner",
        "own": 1,
        "codes": 10,
        "companies": 1,
        "team": 1,
        "company": 1,
    }
    # An account without a second factor needs no aal2.
    other = make.tenant()
    plain = {
        "role": "authenticated",
        "sub": str(other.owner.account_id),
        "tenant_id": str(other.id),
    }
    with acting_as(database, plain) as conn:
        assert conn.execute("select app.tenant_id() as t").fetchone() == {"t": other.id}


def test_the_pending_sign_in_is_on_the_server_and_the_browser_holds_only_its_secret(
    client, app, admin, make
):
    tenant, _ = mfa_owner(app, make)
    start_two_step_sign_in(client, tenant.owner.email, factories.PASSWORD)

    with client.session_transaction() as session:
        assert set(session) == {"mfa_challenge", "mfa_next"}
        secret = session["mfa_challenge"]
    assert len(secret) == 64
    rows = admin.execute("select id, account_id from iam.sign_in_challenges").fetchall()
    assert rows == [
        {"id": hashlib.sha256(secret.encode()).digest(), "account_id": tenant.owner.account_id}
    ]
    # The half-signed-in browser is nobody: no page of the account or company opens.
    assert client.get("/").headers["Location"] == "/sign-in"
    assert client.get("/account").headers["Location"].startswith("/sign-in")


def copy_of(app, client):
    thief = app.test_client()
    with client.session_transaction() as original, thief.session_transaction() as copy:
        copy.update(original)
    return thief


def test_a_copy_of_the_pending_cookie_is_worthless_once_used(client, app, make):
    tenant, secret = mfa_owner(app, make)
    start_two_step_sign_in(client, tenant.owner.email, factories.PASSWORD)
    thief = copy_of(app, client)
    assert client.submit("/sign-in/code", {"code": next_code(secret)}).status_code == 302
    assert client.get("/").status_code == 200

    assert thief.get("/sign-in/code").headers["Location"] == "/sign-in"
    thief.submit("/sign-in/code", {"code": next_code(secret)})
    assert thief.get("/").headers["Location"] == "/sign-in"


def test_a_password_reset_closes_the_pending_sign_in(client, app, admin, make):
    tenant, secret = mfa_owner(app, make)
    start_two_step_sign_in(client, tenant.owner.email, factories.PASSWORD)
    admin.execute(
        "update iam.accounts set session_version = session_version + 1 where id = %s",
        (tenant.owner.account_id,),
    )
    response = client.submit("/sign-in/code", {"code": next_code(secret)})
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/").headers["Location"] == "/sign-in"


def test_a_signed_in_session_changes_its_credentials_only_with_the_password(
    database, app, admin, make
):
    """A stolen session (or a careless future route) can neither read the password hash to
    guess offline, nor set a new password, nor turn an enabled second factor off by hand."""
    owner = make.tenant().owner
    browser = app.test_client()
    browser.sign_in(owner.email)
    enrol(browser)
    before = admin.execute(
        "select password_hash, totp_secret, totp_enabled_at from iam.accounts where id = %s",
        [owner.account_id],
    ).fetchone()
    claims = {"role": "authenticated", "sub": str(owner.account_id), "aal": "aal2"}
    with acting_as(database, claims) as conn:
        assert one(conn, "select email from iam.accounts")["email"] == owner.email  # own row
        for statement in (
            "select password_hash from iam.accounts",
            "update iam.accounts set password_hash = '$argon2id$attacker'",
            "update iam.accounts set totp_enabled_at = null, totp_secret = null",
            "update iam.accounts set totp_secret = 'v2:attacker'",
            "select iam.change_password(gen_random_uuid(), 'guess', '$argon2id$attacker')",
        ):
            try:
                with conn.transaction():
                    result = conn.execute(statement).fetchall()
                assert result == [{"change_password": None}], statement
            except psycopg.errors.InsufficientPrivilege:
                pass
    after = admin.execute(
        "select password_hash, totp_secret, totp_enabled_at from iam.accounts where id = %s",
        [owner.account_id],
    ).fetchone()
    assert after == before


def test_the_account_page_still_changes_the_password_and_turns_two_step_off(app, admin, make):
    owner = make.tenant().owner
    browser = app.test_client()
    browser.sign_in(owner.email)
    enrol(browser)
    wrong = browser.submit("/account/two-step/off", {"password": "not it"})
    assert wrong.status_code == 422
    assert (
        browser.submit("/account/two-step/off", {"password": factories.PASSWORD}).status_code == 302
    )
    changed = browser.submit(
        "/account/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "a brand new passphrase",
        },
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)
    row = admin.execute(
        "select totp_enabled_at, password_hash from iam.accounts where id = %s",
        [owner.account_id],
    ).fetchone()
    assert row["totp_enabled_at"] is None
    assert PasswordHasher().verify(row["password_hash"], "a brand new passphrase")
