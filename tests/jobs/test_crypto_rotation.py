"""P-17: keys rotate. `flask crypto rotate` asks, the worker's crypto_rotation job seals every
registered secret again with the primary key in batches, `flask crypto status` tells when an
old key is no longer needed, and after it is removed everything still opens."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from flask import Flask

from app import create_app, crypto
from jobs import REGISTRY, crypto_rotation
from tests import factories
from tests.auth.support import enrol, forget_used_steps, next_code, start_two_step_sign_in
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.properties.support import PROPERTY_FORM, html

pytestmark = pytest.mark.promise("P-17")

K1, K2 = b"\x01" * 32, b"\x02" * 32
OLD = crypto.Keyring({"k1": K1}, "k1")
BOTH = crypto.Keyring({"k1": K1, "k2": K2}, "k2")
NEW = crypto.Keyring({"k2": K2}, "k2")
SEALED = re.compile(r"v2:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_=-]{38,}")


def app_with(database: TestDatabase, ring: crypto.Keyring) -> Flask:
    settings = make_settings(
        database,
        encryption_key=ring.keys[ring.primary],
        encryption_key_id=ring.primary,
        encryption_keys=tuple(ring.keys.items()),
    )
    application = create_app(settings)
    application.test_client_class = Client
    return application


@pytest.fixture
def apps(database: TestDatabase) -> Iterator[dict[str, Flask]]:
    """The same deployment with the old key, with both (the new one primary), with the new."""
    made = {"old": app_with(database, OLD), "both": app_with(database, BOTH)}
    made["new"] = app_with(database, NEW)
    yield made
    for application in made.values():
        application.extensions["plenum.pool"].close()


@dataclass
class Company:
    owner: factories.Member
    totp_secret: str
    notes: dict[uuid.UUID, str] = field(default_factory=dict)  # property → access notes


def add_property(browser: Client, customer: uuid.UUID, notes: str) -> uuid.UUID:
    response = browser.submit(
        f"/customers/{customer}/properties/new", PROPERTY_FORM | {"access_notes": notes}
    )
    assert response.status_code == 302, html(response)
    return uuid.UUID(response.headers["Location"].rsplit("/", 1)[1])


@pytest.fixture
def companies(apps: dict[str, Flask], admin, make: Factory) -> list[Company]:
    """Two companies whose secrets were written with the old key: owners with two-step sign-in,
    a technician who only started enrolling, properties with access notes (one left empty), and
    a legacy (v1) value from before keys had ids."""
    made = []
    for name in ("Polar Air", "Heat Co"):
        tenant = make.tenant(name)
        browser: Client = apps["old"].test_client()  # type: ignore[assignment]
        browser.sign_in(tenant.owner.email)
        company = Company(tenant.owner, enrol(browser)[0])
        customer = make.customer(tenant.id)
        for n in range(3):
            notes = f"{name} gate {n}{n}{n}{n}"
            company.notes[add_property(browser, customer, notes)] = notes
        add_property(browser, customer, "")
        technician: Client = apps["old"].test_client()  # type: ignore[assignment]
        technician.sign_in(make.member(tenant.id, "technician").email)
        assert technician.get("/account/two-step").status_code == 200
        made.append(company)
    legacy_place, notes = next(iter(made[1].notes.items()))
    admin.execute(
        "update public.properties set access_notes_encrypted = %s where id = %s",
        [crypto.encrypt(notes, key=K1), legacy_place],
    )
    return made


def stored_values(admin) -> list[str]:
    """Every non-empty value of every registered encrypted column."""
    values = []
    for column in crypto.ENCRYPTED_COLUMNS:
        schema, table = column.table.split(".")
        query = psycopg.sql.SQL("select {c} as v from {t} where {c} <> ''").format(
            c=psycopg.sql.Identifier(column.column), t=psycopg.sql.Identifier(schema, table)
        )
        values += [row["v"] for row in admin.execute(query).fetchall()]
    return values


def cli(application: Flask, *args: str) -> Any:
    return application.test_cli_runner().invoke(args=["crypto", *args])


def everything_opens(application: Flask, admin, companies: list[Company]) -> None:
    """Each owner reads every gate code and signs in with a code from the authenticator app."""
    for company in companies:
        forget_used_steps(admin, company.owner.account_id)
        browser: Client = application.test_client()  # type: ignore[assignment]
        start_two_step_sign_in(browser, company.owner.email, factories.PASSWORD)
        response = browser.submit("/sign-in/code", {"code": next_code(company.totp_secret)})
        assert response.status_code == 302, html(response)
        for place, notes in company.notes.items():
            assert notes in html(browser.get(f"/properties/{place}")), place


def test_every_secret_is_sealed_with_its_key_id_and_never_in_plain_text(admin, companies):
    values = stored_values(admin)

    assert len(values) == 2 * (1 + 1 + 3)  # per company: owner, technician, three notes
    plain = [c.totp_secret for c in companies] + [n for c in companies for n in c.notes.values()]
    for value in values:
        assert SEALED.fullmatch(value) or value.startswith("v1:"), value
        assert not any(secret in value for secret in plain)
    assert sum(value.startswith("v1:") for value in values) == 1  # the legacy one


def test_every_column_that_holds_secrets_is_registered(admin):
    columns = admin.execute(
        "select table_schema || '.' || table_name as t, column_name as c"
        " from information_schema.columns"
        " where table_schema in ('public', 'iam', 'app', 'outbox', 'audit')"
        " and column_name ~ '(encrypted|secret|ciphertext)' and column_name !~ 'hash'"
    ).fetchall()
    registered = {(c.table, c.column) for c in crypto.ENCRYPTED_COLUMNS}

    assert {(row["t"], row["c"]) for row in columns} <= registered
    assert registered <= {(row["t"], row["c"]) for row in columns}  # and each one exists


def test_rotation_seals_everything_with_the_new_key_and_the_old_one_can_go(
    apps, admin, pool, companies, monkeypatch
):
    monkeypatch.setattr(crypto_rotation, "BATCH", 2)  # several batches per column
    before = cli(apps["both"], "status")
    assert before.exit_code == 1
    assert "iam.accounts.totp_secret: k1: 4\n" in before.output
    assert "access_notes_encrypted: k1: 5, legacy v1" in before.output

    asked = cli(apps["both"], "rotate")
    rotated = crypto_rotation.sweep(pool, crypto.keyring_of(apps["both"].config["PLENUM"]))

    assert REGISTRY["crypto_rotation"].sweep is crypto_rotation.sweep  # the worker runs it
    assert asked.exit_code == 0 and "to key 'k2': waiting for the worker" in asked.output
    assert rotated == 10
    values = stored_values(admin)
    assert len(values) == 10 and all(value.startswith("v2:k2:") for value in values)
    after = cli(apps["both"], "status")
    assert after.exit_code == 0, after.output
    assert "finished" in after.output and "10 value(s) sealed again" in after.output
    assert "No value needs k1: it can be removed." in after.output
    audited = admin.execute(
        "select count(*) as n from audit.changes where actor_label = 'system:crypto_rotation'"
    ).fetchone()["n"]
    assert audited == 6  # the properties' rows (accounts live outside the company log)
    assert crypto_rotation.sweep(pool, BOTH) == 0  # nothing is asked any more
    everything_opens(apps["new"], admin, companies)  # k1 is gone from the configuration


def test_the_worker_refuses_to_rotate_to_a_key_it_does_not_seal_with(apps, admin, pool, companies):
    cli(apps["both"], "rotate")  # asked by a deployment whose primary is k2
    before = stored_values(admin)

    with pytest.raises(crypto_rotation.RotationFailed, match="to key 'k2' but this worker"):
        crypto_rotation.sweep(pool, OLD)

    assert stored_values(admin) == before
    assert "waiting for the worker" in cli(apps["both"], "status").output


def test_a_row_held_by_a_request_is_left_for_the_next_pass(apps, admin, pool, companies, database):
    place = next(iter(companies[0].notes))
    cli(apps["both"], "rotate")
    with psycopg.connect(database.admin_url) as holder:
        holder.execute("select 1 from public.properties where id = %s for update", [place])
        first = crypto_rotation.sweep(pool, BOTH)  # does not wait for the lock
        held = admin.execute(
            "select access_notes_encrypted as v from public.properties where id = %s", [place]
        ).fetchone()["v"]
        assert "running" in cli(apps["both"], "status").output  # not finished
    second = crypto_rotation.sweep(pool, BOTH)

    assert held.startswith("v2:k1:") and (first, second) == (9, 1)
    assert all(value.startswith("v2:k2:") for value in stored_values(admin))
    assert cli(apps["both"], "status").exit_code == 0


def test_a_value_no_key_opens_is_reported_and_kept(apps, admin, pool, companies):
    tenant_id, place = companies[0].owner.tenant_id, next(iter(companies[0].notes))
    lost = crypto.Keyring({"lost": b"\x03" * 32}, "lost")
    sealed = crypto.encrypt(
        "x", place=crypto.PROPERTY_ACCESS_NOTES.at(tenant_id, place), keyring=lost
    )
    admin.execute(
        "update public.properties set access_notes_encrypted = %s where id = %s", [sealed, place]
    )
    cli(apps["both"], "rotate")

    with pytest.raises(crypto_rotation.RotationFailed, match="1 value"):
        crypto_rotation.sweep(pool, BOTH)

    assert sealed in stored_values(admin)
    status = cli(apps["both"], "status")
    assert status.exit_code == 1
    assert "lost (not in this keyring: unreadable): 1" in status.output
    assert "1 unreadable" in status.output
