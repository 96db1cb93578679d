"""P-17: secrets at rest are sealed for their place (table, column, company, row or account)
under a key named in the value, so a copy elsewhere does not open and keys rotate."""

from __future__ import annotations

import base64
import uuid

import pytest

from app import config, crypto
from app.auth import mfa
from app.config import ConfigError, Settings
from tests import factories
from tests.auth.support import enrol, next_code, start_two_step_sign_in, text
from tests.factories import Factory
from tests.properties.support import PROPERTY_FORM, html

pytestmark = pytest.mark.promise("P-17")

K1, K2 = b"\x01" * 32, b"\x02" * 32
RING = crypto.Keyring({"k1": K1}, "k1")
UNREADABLE_NOTES = "These access notes cannot be read with the current encryption keys"
A_COMPANY, B_COMPANY, ROW, OTHER_ROW = (uuid.uuid4() for _ in range(4))


# --- the mechanism --------------------------------------------------------------------------


def test_a_value_opens_at_its_place_only():
    here = crypto.PROPERTY_ACCESS_NOTES.at(A_COMPANY, ROW)
    token = crypto.encrypt("Gate 4821", place=here, keyring=RING)

    assert token.startswith("v2:k1:") and "4821" not in token
    assert crypto.decrypt(token, place=here, keyring=RING) == "Gate 4821"
    elsewhere = [
        crypto.PROPERTY_ACCESS_NOTES.at(A_COMPANY, OTHER_ROW),  # another row
        crypto.PROPERTY_ACCESS_NOTES.at(B_COMPANY, ROW),  # another company
        crypto.Place("public.properties", "notes", A_COMPANY, ROW),  # another column
        crypto.ACCOUNT_TOTP_SECRET.at(None, ROW),  # an account's row
    ]
    for place in elsewhere:
        with pytest.raises(crypto.UnreadableSecret, match="copied from another row"):
            crypto.decrypt(token, place=place, keyring=RING)


def test_an_altered_value_or_an_unknown_key_is_a_clear_error():
    here = crypto.ACCOUNT_TOTP_SECRET.at(None, ROW)
    token = crypto.encrypt("JBSWY3DPEHPK3PXP", place=here, keyring=RING)
    body = token.rsplit(":", 1)[1]
    flipped = body[:-6] + ("A" if body[-6] != "A" else "B") + body[-5:]

    with pytest.raises(crypto.UnreadableSecret, match="'k1', which is not in"):
        crypto.decrypt(token, place=here, keyring=crypto.Keyring({"k2": K2}, "k2"))
    with pytest.raises(crypto.UnreadableSecret, match="altered"):
        crypto.decrypt(f"v2:k1:{flipped}", place=here, keyring=RING)
    for junk in ("v2:k1:!!!", "v2:k1:", "plain text", "v1:AAAA"):
        with pytest.raises(crypto.UnreadableSecret):
            crypto.decrypt(junk, place=here, keyring=RING)


def test_a_legacy_value_still_opens_until_rotated_and_is_resealed_with_the_primary():
    here = crypto.PROPERTY_ACCESS_NOTES.at(A_COMPANY, ROW)
    legacy = crypto.encrypt("Gate 1111", key=K1)
    ring = crypto.Keyring({"k1": K1, "k2": K2}, "k2")

    resealed = crypto.reseal(legacy, here, ring)

    assert legacy.startswith("v1:") and crypto.decrypt(legacy, place=here, keyring=RING)
    assert resealed is not None and resealed.startswith("v2:k2:")
    assert crypto.decrypt(resealed, place=here, keyring=crypto.Keyring({"k2": K2}, "k2"))
    assert crypto.reseal(resealed, here, ring) is None  # already under the primary


def test_only_registered_columns_are_sealed():
    with pytest.raises(ValueError, match="ENCRYPTED_COLUMNS"):
        crypto.encrypt("x", place=crypto.Place("public.customers", "notes", A_COMPANY, ROW))
    with pytest.raises(ValueError, match="needs company"):
        crypto.PROPERTY_ACCESS_NOTES.at(None, ROW)


# --- the keyring in config ------------------------------------------------------------------


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def env(monkeypatch):
    for name in ("ENCRYPTION_KEY", "ENCRYPTION_KEYS", "ENCRYPTION_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1/none")
    monkeypatch.setenv("PLENUM_ENV", "test")
    return monkeypatch


def ring_from_env() -> crypto.Keyring:
    return crypto.keyring_of(Settings.from_env())


def test_the_keyring_comes_from_encryption_keys_first_key_primary(env):
    env.setenv("ENCRYPTION_KEYS", f"k1:{b64(K1)}, k2:{b64(K2)}")
    assert ring_from_env() == crypto.Keyring({"k1": K1, "k2": K2}, "k1")

    env.setenv("ENCRYPTION_KEY_ID", "k2")
    assert ring_from_env().primary == "k2" and Settings.from_env().encryption_key == K2


def test_encryption_key_alone_is_a_one_key_keyring(env):
    env.setenv("ENCRYPTION_KEY", b64(K1))
    assert ring_from_env() == crypto.Keyring({"default": K1}, "default")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ENCRYPTION_KEYS": f"k1:{b64(K1)}", "ENCRYPTION_KEY": b64(K2)}, "not both"),
        ({"ENCRYPTION_KEYS": f"k1:{b64(K1)},k1:{b64(K2)}"}, "twice"),
        ({"ENCRYPTION_KEYS": f"bad id:{b64(K1)}"}, "ids of letters"),
        ({"ENCRYPTION_KEYS": b64(K1)}, "ids of letters"),
        ({"ENCRYPTION_KEYS": "k1:not-base64!"}, "must be base64"),
        ({"ENCRYPTION_KEYS": f"k1:{b64(b'short')}"}, "32 bytes"),
        ({"ENCRYPTION_KEYS": f"k1:{b64(K1)}", "ENCRYPTION_KEY_ID": "k9"}, "not a key"),
    ],
)
def test_a_malformed_keyring_is_refused_at_start(env, variables, message):
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        Settings.from_env()


def test_production_has_no_development_key(env):
    with pytest.raises(ConfigError, match=r"ENCRYPTION_KEYS \(or ENCRYPTION_KEY\) is required"):
        config._encryption_keys("production")


# --- through the app: a copied ciphertext never shows another place's secret ----------------


def add_property(client, customer, notes: str) -> uuid.UUID:
    response = client.submit(
        f"/customers/{customer}/properties/new", PROPERTY_FORM | {"access_notes": notes}
    )
    assert response.status_code == 302, html(response)
    return uuid.UUID(response.headers["Location"].rsplit("/", 1)[1])


def copy_notes(admin, source: uuid.UUID, target: uuid.UUID) -> None:
    """What someone with write access to the database (or a restored backup) could do."""
    admin.execute(
        "update public.properties set access_notes_encrypted ="
        " (select access_notes_encrypted from public.properties where id = %s) where id = %s",
        [source, target],
    )


def test_access_notes_copied_to_another_property_or_company_do_not_show(app, admin, make):
    a, b = make.tenant(), make.tenant()
    a_owner, b_owner = app.test_client(), app.test_client()
    a_owner.sign_in(a.owner.email)
    b_owner.sign_in(b.owner.email)
    customer = make.customer(a.id)
    secret_place = add_property(a_owner, customer, "Gate 4821")
    same_company = add_property(a_owner, customer, "Gate 1234")
    other_company = add_property(b_owner, make.customer(b.id), "Gate 9999")

    copy_notes(admin, secret_place, same_company)
    copy_notes(admin, secret_place, other_company)

    for browser, place in ((a_owner, same_company), (b_owner, other_company)):
        response = browser.get(f"/properties/{place}")
        assert response.status_code == 200
        assert UNREADABLE_NOTES in html(response) and "4821" not in html(response)
    assert "Gate 4821" in html(a_owner.get(f"/properties/{secret_place}"))


def test_a_totp_secret_copied_into_access_notes_does_not_show(app, admin, make):
    tenant = make.tenant()
    owner = app.test_client()
    owner.sign_in(tenant.owner.email)
    secret, _ = enrol(owner)
    place = add_property(owner, make.customer(tenant.id), "Gate 4821")
    admin.execute(
        "update public.properties set access_notes_encrypted ="
        " (select totp_secret from iam.accounts where id = %s) where id = %s",
        [tenant.owner.account_id, place],
    )

    page = html(owner.get(f"/properties/{place}"))

    assert UNREADABLE_NOTES in page and secret not in page


def enrolled_owner(app, make: Factory):
    """A new company's owner with two-step sign-in on, signed out: (owner, secret, codes)."""
    owner = make.tenant().owner
    browser = app.test_client()
    browser.sign_in(owner.email)
    secret, codes = enrol(browser)
    return owner, secret, codes


def test_a_totp_secret_copied_to_another_account_lets_no_code_in(app, admin, make, client):
    victim, victim_secret, _ = enrolled_owner(app, make)
    thief, _, thief_codes = enrolled_owner(app, make)
    admin.execute(
        "update iam.accounts set totp_secret = (select totp_secret from iam.accounts where id = %s)"
        " where id = %s",
        [victim.account_id, thief.account_id],
    )

    start_two_step_sign_in(client, thief.email, factories.PASSWORD)
    response = client.submit("/sign-in/code", {"code": next_code(victim_secret)})

    assert response.status_code < 500
    assert mfa.UNREADABLE_KEY_MESSAGE in text(response)
    assert client.get("/").status_code != 200  # not signed in
    # The way out the message names: a recovery code still signs the person in.
    assert client.submit("/sign-in/code", {"code": thief_codes[0]}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_value_sealed_with_a_key_this_server_lacks_is_a_clear_page_not_a_500(app, admin, make):
    tenant = make.tenant()
    owner = app.test_client()
    owner.sign_in(tenant.owner.email)
    place = add_property(owner, make.customer(tenant.id), "Gate 4821")
    retired = crypto.Keyring({"retired": K2}, "retired")
    sealed = crypto.encrypt(
        "Gate 7777", place=crypto.PROPERTY_ACCESS_NOTES.at(tenant.id, place), keyring=retired
    )
    admin.execute(
        "update public.properties set access_notes_encrypted = %s where id = %s", [sealed, place]
    )

    for path in (f"/properties/{place}", f"/properties/{place}/edit"):
        response = owner.get(path)
        assert response.status_code == 200, path
        assert "7777" not in html(response)
    assert UNREADABLE_NOTES in html(owner.get(f"/properties/{place}"))
    assert "Saving this form replaces them" in html(owner.get(f"/properties/{place}/edit"))


def test_a_totp_secret_under_an_unknown_key_is_a_clear_refusal_at_sign_in(app, admin, make):
    owner, secret, _ = enrolled_owner(app, make)
    retired = crypto.Keyring({"retired": K2}, "retired")
    sealed = crypto.encrypt(
        secret, place=crypto.ACCOUNT_TOTP_SECRET.at(None, owner.account_id), keyring=retired
    )
    admin.execute(
        "update iam.accounts set totp_secret = %s where id = %s", [sealed, owner.account_id]
    )
    browser = app.test_client()

    start_two_step_sign_in(browser, owner.email, factories.PASSWORD)
    response = browser.submit("/sign-in/code", {"code": next_code(secret)})

    assert response.status_code < 500
    assert mfa.UNREADABLE_KEY_MESSAGE in text(response)
    assert browser.get("/").status_code != 200
