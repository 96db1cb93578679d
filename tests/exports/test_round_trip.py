"""P-09: a company's export holds every row of every company table (from the catalog), as CSV
and as typed JSON with the database's values, and every file of the company; nothing of another
company, and none of the secrets that are never exported."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from psycopg import sql
from psycopg_pool import ConnectionPool

from app import catalog, crypto
from app.company_export import columns as classified
from app.db import Connection
from app.integrations.files import LocalFolderFiles
from tests.exports.support import export_row, opened_zip, queue_export, run_exports
from tests.factories import Factory
from tests.lifecycle.support import populate

TOTP = "JBSWY3DPEHPK3PXPEXPORTTEST"
SENDGRID = "SG.export-test-never-exported-key"
TWILIO = "twilio-export-test-never-exported-token"
STRIPE = "sk_test_export_never_exported_key"
WEBHOOK = "whsec_export_never_exported_secret"


def tenant_column(table: str) -> str:
    return "id" if table == "public.tenants" else "tenant_id"


def relation(table: str) -> sql.Identifier:
    return sql.Identifier(*table.split("."))


def columns_of(admin: Connection, table: str) -> list[dict[str, Any]]:
    return admin.execute(
        "select attname as name, atttypid = 'bytea'::regtype as is_bytea from pg_attribute"
        " where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum",
        [table],
    ).fetchall()


def exported(table: str, names: list[str], with_notes: bool = False) -> list[str]:
    left_out = set(classified.NEVER) | set(classified.DECRYPTED_ON_REQUEST)
    kept = [n for n in names if f"{table}.{n}" not in left_out]
    return kept + (["access_notes"] if with_notes and table == "public.properties" else [])


def db_rows(admin: Connection, table: str, tenant_id: UUID, names: list[str]) -> list[dict]:
    """The company's rows: each column's text form (`text`) and its value as psycopg reads it."""
    statement = sql.SQL("select array[{}]::text[] as text, {} from {} where {} = %s").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(n)) for n in names),
        sql.SQL(", ").join(sql.Identifier(n) for n in names),
        relation(table),
        sql.Identifier(tenant_column(table)),
    )
    return admin.execute(statement, [tenant_id]).fetchall()


# A link whose last segment is a token (app.crypto.new_token), as the emails and texts carry.
TOKEN = re.compile(r"(https?://[^\s\"'<>]*/)([A-Za-z0-9_-]{43})")


# Rows the export itself changes (its own row, the head of the audit log's chain): compared by
# their first column (the company, or the export's id), not their values.
MOVING = ("public.company_exports", "audit.chain_heads")


def names_of(admin: Connection, table: str) -> list[str]:
    return [c["name"] for c in columns_of(admin, table)]


def texts(rows: list[dict]) -> set[tuple]:
    return {tuple("" if v is None else v for v in row["text"]) for row in rows}


def without_hidden(value: Any, table_named: str) -> Any:
    hidden = classified.hidden_in_row_images().get(table_named, [])
    return None if value is None else {k: v for k, v in value.items() if k not in hidden}


def same(json_value: Any, db_value: Any, text: str | None) -> bool:
    """The JSON value stands for the database's value (README.txt says how)."""
    if db_value is None:
        return json_value is None
    if isinstance(db_value, bool | int | str | list | dict):
        return json_value == db_value and type(json_value) is type(db_value)
    if isinstance(db_value, Decimal | float):
        return Decimal(str(json_value)) == Decimal(str(db_value))
    if isinstance(db_value, UUID):
        return json_value == str(db_value)
    if isinstance(db_value, datetime):
        return datetime.fromisoformat(json_value) == db_value
    if isinstance(db_value, date):
        return date.fromisoformat(json_value) == db_value
    if isinstance(db_value, time):
        return time.fromisoformat(json_value) == db_value
    if isinstance(db_value, bytes):
        return base64.b64decode(json_value) == db_value
    return json_value == text  # ranges, intervals, xid8: the text form


def entries(archive: zipfile.ZipFile) -> dict[str, bytes]:
    return {name: archive.read(name) for name in archive.namelist()}


def seed_secrets(admin: Connection, tenant_id: UUID, owner: UUID, keyring: crypto.Keyring) -> None:
    """Known secrets in every place one is kept, for the company."""
    admin.execute(
        "update iam.accounts set totp_secret = %s where id = %s",
        [
            crypto.encrypt(TOTP, place=crypto.ACCOUNT_TOTP_SECRET.at(None, owner), keyring=keyring),
            owner,
        ],
    )
    admin.execute(
        "update public.messaging_accounts set sendgrid_api_key_encrypted = %s,"
        " twilio_auth_token_encrypted = %s where tenant_id = %s",
        [SENDGRID, TWILIO, tenant_id],
    )
    for table, column in (("outbox.messages", "body_text"), ("public.messages", "body")):
        link = f" Open https://plenum.test/links/{crypto.new_token()} to see it."
        admin.execute(
            sql.SQL("update {} set {} = {} || %s where tenant_id = %s").format(
                relation(table), sql.Identifier(column), sql.Identifier(column)
            ),
            [link, tenant_id],
        )
    admin.execute(
        "update public.stripe_accounts set secret_key_encrypted = %s,"
        " webhook_secret_encrypted = %s where tenant_id = %s",
        [STRIPE, WEBHOOK, tenant_id],
    )


def secret_values(admin: Connection, tenant_id: UUID, owner: UUID) -> list[bytes]:
    """Every secret of the company as the bytes that would show it: raw, hex and base64."""
    found: list[bytes] = [TOTP.encode(), SENDGRID.encode(), TWILIO.encode(), STRIPE.encode()]
    found.append(WEBHOOK.encode())
    account = admin.execute(
        "select password_hash, totp_secret from iam.accounts where id = %s", [owner]
    ).fetchone()
    assert account is not None and account["totp_secret"]
    found += [account["password_hash"].encode(), account["totp_secret"].encode()]
    for name in classified.NEVER:
        table, _, column = name.rpartition(".")
        statement = sql.SQL("select {} as v from {} where {} = %s and {} is not null").format(
            sql.Identifier(column), relation(table), sql.Identifier(tenant_column(table)),
            sql.Identifier(column),
        )  # fmt: skip
        for row in admin.execute(statement, [tenant_id]).fetchall():
            value = row["v"]
            if isinstance(value, bytes):
                found += [value, value.hex().encode(), base64.b64encode(value)]
            elif value:
                found.append(str(value).encode())
    return [value for value in found if len(value) >= 8]


@pytest.mark.promise("P-09")
def test_every_row_of_every_company_table_is_exported_as_csv_and_json_and_nothing_else(
    admin: Connection,
    make: Factory,
    pool: ConnectionPool,
    store: LocalFolderFiles,
    keyring: crypto.Keyring,
) -> None:
    company, _ = populate(admin, make, "Exported Heating")
    other, _ = populate(admin, make, "Other Plumbing")
    for tenant in (company, other):
        seed_secrets(admin, tenant.id, tenant.owner.account_id, keyring)
    photo = f"{company.id}/visits/{UUID(int=1)}/photo.jpg"
    store.put(photo, b"\xff\xd8\xff the company's photo", "image/jpeg")
    store.put(f"{company.id}/company/logo.png", b"\x89PNG the company's logo", "image/png")
    store.put(f"{other.id}/visits/{UUID(int=2)}/theirs.jpg", b"the other company's", "image/jpeg")
    export_id = queue_export(admin, company.id)
    tables = catalog.tenant_tables(admin)
    before = {
        t: texts(db_rows(admin, t, company.id, exported(t, names_of(admin, t)))) for t in tables
    }

    assert run_exports(pool, store, keyring, cursor_rows=7) == 1

    row = export_row(admin, export_id)
    archive = opened_zip(store, admin, export_id)
    assert archive.testzip() is None
    contents = entries(archive)
    assert (row["tables_total"], row["tables_done"]) == (len(tables), len(tables))
    assert row["files_done"] == 2 and row["byte_size"] == store.open(row["storage_key"]).seek(0, 2)
    readme = contents["README.txt"].decode()
    tokens: set[str] = set()  # of the links in emails and texts as they were sent
    for table in tables:
        header = exported(table, names_of(admin, table))
        assert f"\n{table} (" in readme
        csv_rows = list(csv.reader(io.StringIO(contents[f"csv/{table}.csv"].decode())))
        json_rows = json.loads(contents[f"json/{table}.json"], parse_float=Decimal)
        assert csv_rows[0] == header, table
        rows = db_rows(admin, table, company.id, header)
        assert rows, f"{table} has no row of the company: the test would prove nothing"
        assert len(csv_rows) - 1 == len(json_rows), table
        key = header.index("id") if "id" in header else None
        keys = {c[key] if key is not None else tuple(c) for c in csv_rows[1:]}
        keys_before = {t[key] if key is not None else t for t in before[table]}
        if table in MOVING:  # changed by the export itself: its rows are the ones before it
            assert {c[0] for c in csv_rows[1:]} == {t[0] for t in before[table]}, table
            assert key is None or keys == keys_before, table
            continue
        assert keys_before <= keys, table
        if not table.startswith("audit."):  # the log grows as the export is recorded
            assert len(csv_rows) - 1 == len(rows), table
        by_text: dict[tuple, dict] = {}
        for db_row in rows:
            for index, name in enumerate(header):
                if f"{table}.{name}" in classified.LINKS_IN_TEXT and db_row[name]:
                    tokens.update(m[2] for m in TOKEN.finditer(db_row[name]))
                    db_row[name] = TOKEN.sub(r"\1[link removed]", db_row[name])
                    db_row["text"][index] = db_row[name]
            if table == "audit.changes":  # the values of columns never exported are taken out
                for column in ("old_values", "new_values"):
                    db_row[column] = without_hidden(db_row[column], db_row["table_name"])
            by_text[tuple("" if v is None else v for v in db_row["text"])] = db_row
        for cells, values in zip(csv_rows[1:], json_rows, strict=True):
            assert list(values) == header, table
            if table == "audit.changes":
                image = tuple(
                    json.dumps(without_hidden(json.loads(c), values["table_name"]) if c else None)
                    if n in ("old_values", "new_values")
                    else c
                    for n, c in zip(header, cells, strict=True)
                )
                matches = [
                    r
                    for t, r in by_text.items()
                    if tuple(
                        json.dumps(r[n]) if n in ("old_values", "new_values") else x
                        for n, x in zip(header, t, strict=True)
                    )
                    == image
                ]
                assert len(matches) == 1, (table, cells)
                db_row = matches[0]
            else:
                assert tuple(cells) in by_text, (table, cells)
                db_row = by_text[tuple(cells)]
            for name, text in zip(header, db_row["text"], strict=True):
                assert same(values[name], db_row[name], text), (table, name, values[name])
    assert contents[f"files/{photo}"] == b"\xff\xd8\xff the company's photo"
    assert contents[f"files/{company.id}/company/logo.png"] == b"\x89PNG the company's logo"

    everything = b"\n".join(contents.values())
    assert str(other.id).encode() not in everything
    for table in tables:
        if "id" in [c["name"] for c in columns_of(admin, table)] and table != "public.tenants":
            statement = sql.SQL(
                "select id::text from {} where tenant_id = %s and pg_typeof(id) = 'uuid'::regtype"
            ).format(relation(table))
            for other_row in admin.execute(statement, [other.id]).fetchall():
                assert other_row["id"].encode() not in everything, (table, other_row["id"])
    assert b"the other company's" not in everything
    logged = admin.execute(
        "select count(*) as n from audit.changes where tenant_id = %s and new_values::text like %s",
        [company.id, f"%{SENDGRID}%"],
    ).fetchone()
    assert logged is not None and logged["n"] > 0  # the log holds it: the export takes it out
    assert tokens, "no link with a token was sent: the test would prove nothing"
    for token in tokens:
        assert token.encode() not in everything
    for secret in secret_values(admin, company.id, company.owner.account_id):
        assert secret not in everything, secret
