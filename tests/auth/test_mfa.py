"""Two-step sign-in with an authenticator app, and one-time recovery codes (P-04)."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import pyotp
import pytest

from app import crypto
from app.auth import mfa
from tests import factories
from tests.auth.support import (
    RECOVERY_CODE,
    account,
    enrol,
    field_errors,
    forget_used_steps,
    next_code,
    open_link,
    reset_token_from_email,
    sign_in_response,
    start_two_step_sign_in,
    text,
    totp_key,
    wrong_code,
)

pytestmark = pytest.mark.promise("P-04")

NOT_RIGHT = "That code is not right, or was already used."


@pytest.fixture
def owner(make):
    return make.tenant().owner


@pytest.fixture
def enrolled(client, owner):
    """The owner, with two-step sign-in on, signed out; returns (secret, recovery codes)."""
    client.sign_in(owner.email)
    secret, codes = enrol(client)
    client.submit("/sign-out")
    return secret, codes


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def unused_recovery_codes(admin) -> int:
    row = admin.execute("select count(*) as n from iam.recovery_codes where used_at is null")
    return int(row.fetchone()["n"])


def test_every_staff_role_can_set_up_two_step_sign_in(app, make):
    tenant = make.tenant()
    for role in ("owner", "admin", "dispatcher", "office", "technician"):
        member = tenant.owner if role == "owner" else make.member(tenant.id, role)
        browser = app.test_client()
        browser.sign_in(member.email)
        account_page = text(browser.get("/account"))
        assert "Off. Anyone with your password can sign in as you." in account_page, role
        response = browser.get("/account/two-step")
        assert response.status_code == 200, role
        assert "<svg" in response.get_data(as_text=True), role


def test_enrolment_page_shows_a_qr_code_and_the_key_stored_encrypted(client, app, admin, owner):
    client.sign_in(owner.email)
    response = client.get("/account/two-step")
    page = response.get_data(as_text=True)
    assert "<svg" in page
    secret = totp_key(page)
    assert "Key: <code" in page and f">{secret}</code>" in page
    assert len(secret) >= 32  # 160 bits, base32

    stored = account(admin, owner.email)
    assert stored["totp_secret"].startswith("v2:default:")
    assert secret not in stored["totp_secret"]
    place = crypto.ACCOUNT_TOTP_SECRET.at(None, owner.account_id)
    with app.app_context():
        assert crypto.decrypt(stored["totp_secret"], place=place) == secret
    assert stored["totp_enabled_at"] is None

    # Until it is confirmed, reloading the page shows the same key (the phone may have it).
    assert totp_key(client.get("/account/two-step").get_data(as_text=True)) == secret


def test_wrong_enrolment_code_leaves_it_off(client, admin, owner):
    client.sign_in(owner.email)
    secret = totp_key(client.get("/account/two-step").get_data(as_text=True))

    response = client.submit("/account/two-step", {"code": wrong_code(secret)})

    assert "That code does not match." in field_errors(response)["code"]
    assert account(admin, owner.email)["totp_enabled_at"] is None
    assert "Off." in text(client.get("/account"))
    # The same key is still offered, so the person can simply try the next code.
    assert secret in client.get("/account/two-step").get_data(as_text=True)


def test_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, app, admin, owner):
    client.sign_in(owner.email)
    secret, codes = enrol(client)

    assert len(set(codes)) == 10
    stored = account(admin, owner.email)
    assert stored["totp_enabled_at"] is not None
    hashes = {
        bytes(row["code_hash"])
        for row in admin.execute(
            "select code_hash from iam.recovery_codes where account_id = %s and used_at is null",
            (owner.account_id,),
        )
    }
    # Stored under a key derived from SECRET_KEY: a copy of the table cannot be guessed offline.
    with app.app_context():
        assert hashes == {mfa.recovery_code_hash(c) for c in codes}
    assert not hashes & {hashlib.sha256(c.replace("-", "").encode()).digest() for c in codes}

    page = text(client.get("/account"))
    assert "On. You enter a code from your authenticator app when you sign in." in page
    assert "10 unused recovery codes left." in page
    assert not any(code in page for code in codes)
    # Once on, the setup page no longer shows the key.
    again = client.get("/account/two-step")
    assert again.status_code == 302
    assert secret not in client.get("/account").get_data(as_text=True)


def test_password_alone_no_longer_signs_in(client, owner, enrolled):
    assert sign_in_response(client, owner.email, "not the password").status_code == 401
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"

    start_two_step_sign_in(client, owner.email, factories.PASSWORD)

    assert client.get("/").headers["Location"] == "/sign-in"
    assert client.get("/account").headers["Location"].startswith("/sign-in")
    page = client.get("/sign-in/code")
    assert page.status_code == 200
    assert "Enter your code" in text(page)


def test_valid_code_signs_in_and_goes_where_asked(client, owner, enrolled):
    secret, _ = enrolled
    response = client.submit(
        "/sign-in?next=%2Faccount", {"email": owner.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/sign-in/code"

    response = client.submit("/sign-in/code", {"code": next_code(secret)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "On. You enter a code" in text(client.get("/account"))


def test_a_code_works_only_once(client, app, owner, enrolled):
    secret, _ = enrolled
    code = next_code(secret)
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": code}).status_code == 302
    assert is_signed_in(client)

    # Someone who saw the password and the code tries them at once, in the same 30 seconds.
    onlooker = app.test_client()
    start_two_step_sign_in(onlooker, owner.email, factories.PASSWORD)
    response = onlooker.submit("/sign-in/code", {"code": code})

    assert response.status_code == 422
    assert NOT_RIGHT in field_errors(response)["code"]
    assert not is_signed_in(onlooker)


def test_code_of_a_long_gone_step_is_refused(client, admin, owner, enrolled):
    secret, _ = enrolled
    forget_used_steps(admin, owner.account_id)
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    stale = pyotp.TOTP(secret).at(time.time() - 120)
    response = client.submit("/sign-in/code", {"code": stale})
    assert response.status_code == 422
    assert not is_signed_in(client)


def test_recovery_code_signs_in_once(client, app, owner, enrolled):
    _, codes = enrolled
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    response = client.submit("/sign-in/code", {"code": codes[0].upper()}, follow_redirects=True)
    assert response.request.path == "/"
    assert "You used a recovery code; 9 left." in text(response)

    again = app.test_client()
    start_two_step_sign_in(again, owner.email, factories.PASSWORD)
    response = again.submit("/sign-in/code", {"code": codes[0]})
    assert response.status_code == 422
    assert NOT_RIGHT in field_errors(response)["code"]
    assert not is_signed_in(again)


def test_recovery_code_of_another_account_does_not_work(client, make, owner, enrolled):
    other = make.member(make.tenant().id, "owner")
    client.sign_in(other.email)
    _, other_codes = enrol(client)
    client.submit("/sign-out")

    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": other_codes[0]}).status_code == 422
    assert not is_signed_in(client)


@pytest.mark.promise("P-06")
def test_wrong_codes_are_limited_even_before_the_right_one(client, admin, owner, enrolled):
    secret, codes = enrolled
    last_step = account(admin, owner.email)["totp_last_step"]
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    for _ in range(5):
        assert client.submit("/sign-in/code", {"code": wrong_code(secret)}).status_code == 422

    response = client.submit("/sign-in/code", {"code": next_code(secret)})
    assert response.status_code == 429
    assert "Too many wrong codes" in text(response)
    # Starting over with the password does not reset the count, nor does a recovery code help.
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": codes[0]}).status_code == 429
    assert not is_signed_in(client)
    # Neither the right code nor the recovery code was even checked, let alone used up.
    assert account(admin, owner.email)["totp_last_step"] == last_step
    assert unused_recovery_codes(admin) == 10


def test_code_page_expires_after_five_minutes(client, admin, owner, enrolled):
    secret, _ = enrolled
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    expiry = admin.execute("select expires_at - created_at as left from iam.sign_in_challenges")
    assert expiry.fetchone()["left"] == timedelta(minutes=5)
    admin.execute("update iam.sign_in_challenges set expires_at = now() - interval '1 second'")

    response = client.get("/sign-in/code", follow_redirects=True)
    assert response.request.path == "/sign-in"
    assert "Sign in again to continue." in text(response)
    client.submit("/sign-in/code", {"code": next_code(secret)})
    assert not is_signed_in(client)


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(client, admin, owner, enrolled):
    secret, old_codes = enrolled
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": next_code(secret)}).status_code == 302

    refused = client.submit("/account/two-step/recovery-codes", {"code": wrong_code(secret)})
    assert refused.status_code == 422
    assert field_errors(refused) == {"code": NOT_RIGHT}
    assert "10 unused recovery codes left." in text(refused)

    forget_used_steps(admin, owner.account_id)
    response = client.submit("/account/two-step/recovery-codes", {"code": next_code(secret)})
    assert response.status_code == 200
    new_codes = RECOVERY_CODE.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    client.submit("/sign-out")

    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": old_codes[1]}).status_code == 422
    assert client.submit("/sign-in/code", {"code": new_codes[0]}).status_code == 302
    assert is_signed_in(client)


def test_turning_it_off_needs_the_password(client, admin, owner, enrolled):
    secret, _ = enrolled
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": next_code(secret)}).status_code == 302

    refused = client.submit("/account/two-step/off", {"password": "not my password"})
    assert refused.status_code == 422
    assert field_errors(refused) == {"password": "That is not your password."}
    assert account(admin, owner.email)["totp_enabled_at"] is not None

    response = client.submit(
        "/account/two-step/off", {"password": factories.PASSWORD}, follow_redirects=True
    )
    assert "Two-step sign-in is off." in text(response)
    stored = account(admin, owner.email)
    assert (stored["totp_secret"], stored["totp_enabled_at"]) == (None, None)
    assert unused_recovery_codes(admin) == 0

    client.submit("/sign-out")
    assert sign_in_response(client, owner.email, factories.PASSWORD).headers["Location"] == "/"
    assert is_signed_in(client)


@pytest.mark.promise("P-06")
def test_guessing_a_code_for_new_recovery_codes_is_limited(client, admin, owner, enrolled):
    secret, _ = enrolled
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": next_code(secret)}).status_code == 302
    for _ in range(5):
        response = client.submit("/account/two-step/recovery-codes", {"code": wrong_code(secret)})
        assert response.status_code == 422

    forget_used_steps(admin, owner.account_id)
    response = client.submit("/account/two-step/recovery-codes", {"code": next_code(secret)})

    assert response.status_code == 429
    assert "Too many wrong codes" in text(response)
    assert not RECOVERY_CODE.findall(response.get_data(as_text=True))
    assert "10 unused recovery codes left." in text(client.get("/account"))


def test_password_reset_does_not_turn_two_step_sign_in_off(client, admin, owner, enrolled):
    secret, _ = enrolled
    assert client.submit("/password/forgot", {"email": owner.email}).status_code == 302
    token = reset_token_from_email(admin, owner.email)
    new_password = "a new passphrase from the reset link"
    open_link(client, f"/password/reset/{token}")
    assert client.submit("/password/reset", {"password": new_password}).status_code == 302

    start_two_step_sign_in(client, owner.email, new_password)
    assert not is_signed_in(client)
    assert client.submit("/sign-in/code", {"code": next_code(secret)}).status_code == 302
    assert is_signed_in(client)


def test_recovery_codes_stored_before_keyed_hashes_still_work_once(client, admin, owner, enrolled):
    _, codes = enrolled
    legacy = hashlib.sha256(codes[0].replace("-", "").encode()).digest()
    admin.execute("delete from iam.recovery_codes")
    admin.execute(
        "insert into iam.recovery_codes (account_id, code_hash) values (%s, %s)",
        (owner.account_id, legacy),
    )
    start_two_step_sign_in(client, owner.email, factories.PASSWORD)
    assert client.submit("/sign-in/code", {"code": codes[0]}).status_code == 302
    assert is_signed_in(client)
    assert unused_recovery_codes(admin) == 0
