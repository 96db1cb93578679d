"""Writing a company's export (P-09): every company table of the catalog, as CSV and JSON, and
every file of the company, into one zip written to a file on disk, a row and a chunk at a time
(memory stays the same whatever the company's size). Run by the worker (jobs/company_export.py)
as the service role, every read filtered by the company's id.

What is in the zip is described in README.txt inside it (README below); what is left out is
decided by app/company_export/columns.py."""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from uuid import UUID

from psycopg import sql as pgsql
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb

from app import catalog, crypto, sql
from app.company_export import columns as classified
from app.db import Connection
from app.integrations import files

queries = sql.load(__file__)
log = logging.getLogger("company_export")

CURSOR_ROWS = 2000  # rows fetched from the database at a time, per table
PROGRESS_EVERY = 10_000  # rows between two progress records within a table
ZIP_LEVEL = 6


class ExportFailed(Exception):
    """The export cannot be finished; `message` is what the owner is told."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    is_bytea: bool = False


@dataclass
class Table:
    name: str  # schema.table
    tenant_column: str
    columns: list[Column]  # written, in the table's order
    left_out: list[str] = field(default_factory=list)
    decrypted: list[tuple[str, crypto.EncryptedColumn, str]] = field(default_factory=list)
    rows: int = 0

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns] + [name for _, _, name in self.decrypted]


@dataclass
class Progress:
    tables_total: int = 0
    tables_done: int = 0
    rows_done: int = 0
    files_done: int = 0


def plan(conn: Connection, include_access_notes: bool) -> list[Table]:
    """Every company table (from the catalog, so a new one is exported the day it exists),
    with the columns written and those left out."""
    tables = []
    for name in catalog.tenant_tables(conn):
        table = Table(name, "id" if name == "public.tenants" else "tenant_id", [])
        for row in catalog.table_columns(conn, name):
            full = f"{name}.{row['name']}"
            if full in classified.NEVER:
                table.left_out.append(row["name"])
            elif full in classified.DECRYPTED_ON_REQUEST:
                sealed, shown_as = classified.DECRYPTED_ON_REQUEST[full]
                if include_access_notes:
                    table.decrypted.append((row["name"], sealed, shown_as))
                else:
                    table.left_out.append(row["name"])
            else:
                table.columns.append(Column(row["name"], row["type"], row["is_bytea"]))
        tables.append(table)
    return tables


def _value(table: Table, column: Column) -> pgsql.Composable:
    """The column's value as exported: another table's secrets taken out of a row image."""
    ref = pgsql.SQL("t.{}").format(pgsql.Identifier(column.name))
    if f"{table.name}.{column.name}" in classified.LINKS_IN_TEXT:
        return pgsql.SQL("regexp_replace({}, {}, {}, 'g')").format(
            ref,
            pgsql.Literal(classified.TOKEN_IN_LINK),
            pgsql.Literal("\\1" + classified.LINK_REMOVED),
        )
    images = classified.ROW_IMAGES.get(table.name)
    if images and column.name in images[1]:
        return pgsql.SQL(
            "({} - array(select jsonb_array_elements_text(%(hidden)s::jsonb -> t.{})))"
        ).format(ref, pgsql.Identifier(images[0]))
    return ref


def _rows_statement(table: Table) -> pgsql.Composed:
    text_values, json_values = [], []
    for column in table.columns:
        value = _value(table, column)
        text_values.append(pgsql.SQL("{}::text").format(value))
        typed = (
            pgsql.SQL("translate(encode({}, 'base64'), E'\\n', '')").format(value)
            if column.is_bytea
            else value
        )
        json_values.append(pgsql.SQL("{} as {}").format(typed, pgsql.Identifier(column.name)))
    extra = pgsql.SQL("").join(
        pgsql.SQL(", t.{}").format(pgsql.Identifier(sealed)) for sealed, _, _ in table.decrypted
    )
    if table.decrypted:
        extra = pgsql.SQL(", t.id{}").format(extra)
    schema, _, name = table.name.partition(".")
    return pgsql.SQL(queries.table_rows).format(
        text_values=pgsql.SQL("array[{}]::text[]").format(pgsql.SQL(", ").join(text_values)),
        json_values=pgsql.SQL(", ").join(json_values),
        extra=extra,
        table=pgsql.Identifier(schema, name),
        tenant_column=pgsql.Identifier(table.tenant_column),
    )


def _rows(
    conn: Connection, table: Table, tenant_id: UUID, cursor_rows: int
) -> Iterator[tuple[Any, ...]]:
    """The company's rows of the table, read through a server-side cursor `cursor_rows` at a
    time (never the whole table at once)."""
    hidden = Jsonb(classified.hidden_in_row_images())
    with conn.cursor(name=f"export_{table.name.replace('.', '_')}", row_factory=tuple_row) as cur:
        cur.itersize = cursor_rows
        cur.execute(_rows_statement(table), {"tenant_id": tenant_id, "hidden": hidden})
        yield from cur


def _opened(
    table: Table, tenant_id: UUID, row: tuple[Any, ...], keyring: crypto.Keyring | None
) -> list[str | None]:
    """The decrypted values of the row's sealed columns (asked for by the owner)."""
    if keyring is None:
        raise ExportFailed("The gate and alarm codes cannot be decrypted here.")
    row_id, sealed_values = row[2], row[3:]
    opened: list[str | None] = []
    for (_, sealed, _), token in zip(table.decrypted, sealed_values, strict=True):
        if not token:
            opened.append(token)
            continue
        try:
            opened.append(
                crypto.decrypt(token, place=sealed.at(tenant_id, row_id), keyring=keyring)
            )
        except crypto.UnreadableSecret as error:
            log.error("%s of %s %s: %s", sealed.column, table.name, row_id, error)
            raise ExportFailed(
                "The gate and alarm codes of a property could not be decrypted. Start the export"
                " again without them, or ask support to check the company's encryption keys."
            ) from error
    return opened


def _json_row(text: str, header_extra: list[str], opened: list[str | None]) -> str:
    """The row's JSON object with the decrypted values added at its end."""
    if not header_extra:
        return text
    added = "".join(
        f", {json.dumps(name)}: {json.dumps(value)}"
        for name, value in zip(header_extra, opened, strict=True)
    )
    return text[:-1] + added + "}"


def _write_table(
    archive: zipfile.ZipFile,
    conn: Connection,
    table: Table,
    tenant_id: UUID,
    keyring: crypto.Keyring | None,
    cursor_rows: int,
    progress: Progress,
    report: Callable[[Progress], None],
) -> None:
    extra_names = [name for _, _, name in table.decrypted]
    with tempfile.TemporaryFile() as json_file:
        json_text = io.TextIOWrapper(json_file, encoding="utf-8")
        json_text.write("[")
        with archive.open(f"csv/{table.name}.csv", "w", force_zip64=True) as csv_entry:
            csv_text = io.TextIOWrapper(csv_entry, encoding="utf-8", newline="")
            writer = csv.writer(csv_text)
            writer.writerow(table.header)
            for row in _rows(conn, table, tenant_id, cursor_rows):
                opened = _opened(table, tenant_id, row, keyring) if table.decrypted else []
                writer.writerow([*row[0], *opened])
                json_text.write(",\n" if table.rows else "\n")
                json_text.write(_json_row(row[1], extra_names, opened))
                table.rows += 1
                progress.rows_done += 1
                if progress.rows_done % PROGRESS_EVERY == 0:
                    report(progress)
            csv_text.detach()  # flushed; the entry is closed by its own block
        json_text.write("\n]\n" if table.rows else "]\n")
        json_text.detach()
        json_file.seek(0)
        with archive.open(f"json/{table.name}.json", "w", force_zip64=True) as json_entry:
            shutil.copyfileobj(json_file, json_entry, files.CHUNK_BYTES)


def _write_files(
    archive: zipfile.ZipFile,
    store: files.FileStore,
    tenant_id: UUID,
    progress: Progress,
    report: Callable[[Progress], None],
) -> None:
    """Every file of the company (photos, signatures, logos, documents) under `files/<key>`,
    but not the company's earlier export zips."""
    exports = f"{tenant_id}/{files.EXPORTS_FOLDER}/"
    for key in sorted(store.keys(f"{tenant_id}/")):
        if key.startswith(exports):
            continue
        try:
            source = store.open(key)
        except files.FileMissing:  # deleted since it was listed: no longer the company's
            continue
        info = zipfile.ZipInfo(f"files/{key}")
        info.compress_type = zipfile.ZIP_STORED  # pictures and PDFs are compressed already
        with source, archive.open(info, "w", force_zip64=True) as entry:
            shutil.copyfileobj(source, entry, files.CHUNK_BYTES)
        progress.files_done += 1
        if progress.files_done % 100 == 0:
            report(progress)


def write(
    out: IO[bytes],
    conn: Connection,
    tenant_id: UUID,
    *,
    include_access_notes: bool,
    store: files.FileStore,
    keyring: crypto.Keyring | None,
    report: Callable[[Progress], None],
    cursor_rows: int = CURSOR_ROWS,
) -> Progress:
    """Write the company's export into `out` (a file opened for writing); `report` is called
    with the progress after each table and now and then within one."""
    tables = plan(conn, include_access_notes)
    progress = Progress(tables_total=len(tables))
    report(progress)
    with zipfile.ZipFile(
        out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL, allowZip64=True
    ) as archive:
        for table in tables:
            _write_table(archive, conn, table, tenant_id, keyring, cursor_rows, progress, report)
            progress.tables_done += 1
            report(progress)
        _write_files(archive, store, tenant_id, progress, report)
        archive.writestr("README.txt", readme(tables, include_access_notes))
    report(progress)
    return progress


README = """\
Your company's data
===================

This file describes the export. Every table of the company's data is here twice:

  csv/<table>.csv    one line per row, a header line with the column names. Values are in
                     the database's text form: dates and times as 2026-12-11 09:30:00+00
                     (UTC), yes/no as t/f, lists as {{a,b}}, time ranges as
                     ["start","end"), binary values as \\x followed by hex. An empty cell is
                     either empty text or no value; the JSON tells them apart.
  json/<table>.json  a list of objects, one per row, with typed values: numbers as numbers,
                     yes/no as true/false, no value as null, dates and times as ISO 8601 text
                     (2026-12-11T09:30:00+00:00), ids as text, structured values (jsonb) as
                     objects or lists, lists as lists, time ranges as their text form (as in
                     the CSV), binary values as base64 text.
  files/<key>        every file: photos, signatures, the logo and documents, under the key
                     the tables name them by (e.g. visit_files.storage_key).

Left out, always: passwords and their hashes, two-step sign-in secrets, the keys of your
payment, text and email providers, and links' tokens (their hashes, and in the emails and
texts as sent, each link's token is replaced by "[link removed]"). Gate and alarm codes
(properties.access_notes) are {access_notes}.
The audit log (audit.changes) is included; a homeowner's personal values in it are sealed
under their own key, which is not exported.

Tables and columns
------------------
"""


def readme(tables: list[Table], include_access_notes: bool) -> str:
    notes = (
        "included, decrypted, because an owner asked for them"
        if include_access_notes
        else "left out (an owner can ask for them when starting the export)"
    )
    lines = [README.format(access_notes=notes)]
    for table in tables:
        lines.append(f"\n{table.name} ({table.rows} rows)\n")
        for column in table.columns:
            lines.append(f"  {column.name}: {column.type}\n")
        for _, _, name in table.decrypted:
            lines.append(f"  {name}: text (decrypted)\n")
        if table.left_out:
            lines.append(f"  left out: {', '.join(table.left_out)}\n")
    return "".join(lines)
