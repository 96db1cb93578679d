"""Passwords are stored only as argon2id hashes and never written anywhere in plain text (P-05)."""

from __future__ import annotations

import logging
import re

import psycopg
import pytest
from argon2 import PasswordHasher, extract_parameters
from psycopg import sql

from tests import factories
from tests.auth.support import (
    account,
    count,
    emails_to,
    open_link,
    reset_token_from_email,
    sign_in_response,
)

pytestmark = pytest.mark.promise("P-05")

FIRST = "first passphrase of the owner"
SECOND = "second passphrase after reset"
THIRD = "third passphrase after a change"
SCHEMAS = ("public", "iam", "outbox")


EMAIL = "casey@warmhome.example"


def sign_up(client, admin) -> None:
    form = {
        "company_name": "Warm Home",
        "time_zone": "America/Denver",
        "full_name": "Casey Jones",
        "email": EMAIL,
        "password": FIRST,
    }
    assert client.submit("/sign-up", form).status_code == 303
    [message] = emails_to(admin, EMAIL)
    link = re.search(r"/sign-up/confirm/[\w-]+", message["body_text"])
    assert link is not None
    open_link(client, link.group(0))
    assert client.submit("/sign-up/confirm").status_code == 303


def journey(client, admin) -> None:
    """Sign up, sign in (wrong, then right), reset the password, change it: every way a
    password enters the app."""
    sign_up(client, admin)
    client.submit("/sign-out")
    assert sign_in_response(client, EMAIL, "a wrong " + FIRST).status_code == 401
    client.sign_in(EMAIL, FIRST)
    client.submit("/sign-out")
    assert client.submit("/password/forgot", {"email": EMAIL}).status_code == 302
    token = reset_token_from_email(admin, EMAIL)
    open_link(client, f"/password/reset/{token}")
    assert client.submit("/password/reset", {"password": SECOND}).status_code == 302
    client.sign_in(EMAIL, SECOND)
    response = client.submit(
        "/account/password", {"current_password": SECOND, "new_password": THIRD}
    )
    assert response.status_code == 302


def columns_containing(admin, needle: str) -> list[str]:
    """Every column of every table in the app's schemas whose value contains `needle`."""
    columns = admin.execute(
        "select c.table_schema, c.table_name, c.column_name, c.data_type"
        " from information_schema.columns c"
        " join information_schema.tables t using (table_schema, table_name)"
        " where t.table_type = 'BASE TABLE' and c.table_schema = any(%s)",
        (list(SCHEMAS),),
    ).fetchall()
    found = []
    for column in columns:
        name = sql.Identifier(column["column_name"])
        table = sql.Identifier(column["table_schema"], column["table_name"])
        if column["data_type"] == "bytea":
            condition = sql.SQL("position(convert_to(%(needle)s, 'UTF8') in {}) > 0").format(name)
        else:
            condition = sql.SQL("strpos({}::text, %(needle)s) > 0").format(name)
        query = sql.SQL("select exists (select from {} where {}) as found").format(table, condition)
        if admin.execute(query, {"needle": needle}).fetchone()["found"]:
            found.append(f"{column['table_schema']}.{column['table_name']}.{column['column_name']}")
    return found


def test_sign_up_stores_a_slow_argon2id_hash(client, admin):
    sign_up(client, admin)
    stored = account(admin, EMAIL)["password_hash"]
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, FIRST)
    parameters = extract_parameters(stored)
    # At least OWASP's minimum for argon2id (19 MiB, 2 passes).
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2


def test_plain_password_never_lands_in_any_table(client, admin):
    journey(client, admin)

    # The scan does find what is stored in plain text, such as the email.
    assert "iam.accounts.email" in columns_containing(admin, EMAIL)
    for password in (FIRST, SECOND, THIRD):
        assert columns_containing(admin, password) == []


def test_plain_password_is_never_logged(client, admin, caplog):
    caplog.set_level(logging.DEBUG)
    journey(client, admin)

    assert "outbox: password_reset" in caplog.text, "logs were captured"
    for password in (FIRST, SECOND, THIRD):
        assert password not in caplog.text
        for record in caplog.records:
            assert password not in repr(record.args)


NOT_ARGON2ID = [
    factories.PASSWORD,
    "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
    "$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
]


def test_schema_refuses_anything_but_an_argon2id_hash(admin, make):
    existing = make.account()
    for value in NOT_ARGON2ID:
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            admin.execute(
                "insert into iam.accounts (email, full_name, password_hash)"
                " values ('plain@example.com', 'Plain', %s)",
                (value,),
            )
        assert refused.value.diag.constraint_name == "accounts_password_is_argon2id"
        with pytest.raises(psycopg.errors.CheckViolation):
            admin.execute(
                "update iam.accounts set password_hash = %s where id = %s", (value, existing)
            )
    assert count(admin, "iam.accounts") == 1


def test_weaker_old_hash_is_upgraded_at_sign_in(client, admin, make):
    owner = make.tenant().owner
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(factories.PASSWORD)
    admin.execute(
        "update iam.accounts set password_hash = %s where id = %s", (weak, owner.account_id)
    )

    client.sign_in(owner.email)

    stored = account(admin, owner.email)["password_hash"]
    assert stored != weak
    assert not PasswordHasher().check_needs_rehash(stored)
    assert PasswordHasher().verify(stored, factories.PASSWORD)
