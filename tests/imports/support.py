"""Uploading files as the office does, and making imports directly for the route checks."""

from __future__ import annotations

import html
import io
import re
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb
from werkzeug.test import TestResponse

from app.db import Connection
from app.imports import csvfile, fields
from app.imports.kinds import KINDS
from tests.conftest import Client

SMALL_FILE = "First Name,Last Name,Email,Phone\nAda,Lovelace,ada@example.com,(312) 555-0100\n"


def make_import(conn: Connection, tenant_id: UUID, text: str = SMALL_FILE) -> UUID:
    """An import of `text` waiting for confirmation, as if uploaded and mapped."""
    return insert_import(conn, tenant_id, text)


def insert_import(
    conn: Connection, tenant_id: UUID, text: str, kind: str = "customers", status: str = "previewed"
) -> UUID:
    """An import of `text` of this kind as stored after its upload, with the guessed mapping."""
    headers, records = csvfile.read(text, ",")
    targets, synonyms = KINDS[kind].targets, KINDS[kind].synonyms
    row = conn.execute(
        "insert into public.customer_imports (tenant_id, kind, status, file_name, source_text,"
        " encoding, delimiter, headers, mapping, total_rows, valid_rows)"
        " values (%(tenant)s, %(kind)s, %(status)s, 'customers.csv', %(text)s, 'utf-8', ',',"
        " %(headers)s, %(mapping)s, %(total)s, %(valid)s) returning id",
        {
            "tenant": tenant_id,
            "kind": kind,
            "status": status,
            "text": text,
            "headers": Jsonb(headers),
            "mapping": Jsonb(fields.guess_mapping(headers, targets, synonyms)),
            "total": len(records),
            "valid": len(records) if status == "previewed" else 0,
        },
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def upload(
    client: Client, data: bytes, name: str = "customers.csv", kind: str = "customers"
) -> TestResponse:
    return client.submit(
        "/customers/import",
        {"file": (io.BytesIO(data), name), "kind": kind},
        content_type="multipart/form-data",
    )


def previewed(client: Client, data: bytes, name: str = "customers.csv") -> tuple[str, str]:
    """Upload, accept the guessed columns; returns the import's id and its preview page."""
    uploaded = upload(client, data, name)
    assert uploaded.status_code == 302, text(uploaded)
    import_id = import_id_of(uploaded)
    mapped = client.submit(f"/customers/import/{import_id}/mapping")
    assert mapped.status_code == 302, text(mapped)
    return import_id, text(client.get(f"/customers/import/{import_id}"))


def import_id_of(response: TestResponse) -> str:
    """The import a redirect after upload points at."""
    match = re.search(r"/customers/import/([0-9a-f-]{36})", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def skipped_rows(page: str) -> list[tuple[int, str]]:
    """(line, reason) of every row in the page's table of skipped rows, as the user reads it."""
    table = re.search(r'<table id="skipped">(.*?)</table>', page, re.S)
    if table is None:
        return []
    cells = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", table.group(1))
    return [(int(line), html.unescape(reason)) for line, reason in cells]


def summary(page: str) -> dict[str, int]:
    """The summary box: label → number."""
    box = re.search(r'<dl class="facts card" id="summary">(.*?)</dl>', page, re.S)
    assert box is not None
    return {k: int(v) for k, v in re.findall(r"<dt>([^<]+)</dt><dd[^>]*>(\d+)</dd>", box.group(1))}


def customers(admin: Connection, tenant_id: UUID) -> list[dict[str, Any]]:
    return admin.execute(
        "select first_name, last_name, company_name, kind, email, phone, tags, lead_source, notes"
        " from public.customers where tenant_id = %(t)s order by first_name, last_name",
        {"t": tenant_id},
    ).fetchall()
