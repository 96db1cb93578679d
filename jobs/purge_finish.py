"""The purge's last transaction (jobs/purge.py): the company's audit keys destroyed, its details
blanked, its deletion certificate signed, stored and emailed to its former owners with a link
that needs no account, and the company 'purged'. All or nothing: a crash before the commit
leaves the purge to be finished again, whole."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import jinja2
from psycopg import sql
from psycopg_pool import ConnectionPool

from app import certificates
from app.db import Connection, Row, service_role_transaction
from app.integrations import email
from jobs.purge_plan import ACTOR, COMPANY, hold, queries

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(
        Path(certificates.__file__).resolve().parent.parent / "templates"
    ),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # plain-text email  # noqa: S701
)
FINANCIAL_YEARS = 7  # P-12
AUDIT_YEARS = 2  # P-12
BACKUPS = (
    "The purge cannot reach copies of the database in the hosting provider's backups: they"
    " expire on the provider's own schedule, and are never restored into the service."
)


def _years_later(moment: datetime | None, years: int) -> str | None:
    if moment is None:
        return None
    try:
        return moment.replace(year=moment.year + years).date().isoformat()
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28).date().isoformat()


def _latest_kept(conn: Connection, company: UUID, steps: list[Row]) -> datetime | None:
    """The newest kept financial record's date (its created_at, in the tables that have one)."""
    latest: datetime | None = None
    for step in steps:
        if step["on_purge"] != "anonymise" or not step["rows_anonymised"]:
            continue
        schema, _, table = step["table_name"].partition(".")
        row = conn.execute(
            sql.SQL(
                "select max((to_jsonb(x) ->> 'created_at')::timestamptz) as at from {} x"
                " where x.tenant_id = %(company)s"
            ).format(sql.Identifier(schema, table)),
            {"company": company},
        ).fetchone()
        if row and row["at"] and (latest is None or row["at"] > latest):
            latest = row["at"]
    return latest


def _records(table: str) -> str:
    return table.partition(".")[2].replace("_", " ")


def document(
    purge: Row, steps: list[Row], shredded: int, latest: datetime | None, at: datetime
) -> dict[str, Any]:
    """What the certificate says, in the order a reader wants it."""
    tables = [
        {
            "table": s["table_name"],
            "records": _records(s["table_name"]),
            "on_purge": s["on_purge"],
            "rows_deleted": s["rows_found"] if s["on_purge"] == "delete" else 0,
            "rows_anonymised": s["rows_anonymised"],
            "rows_kept": s["rows_found"] if s["on_purge"] == "keep" else 0,
        }
        for s in steps
    ] + [{"table": COMPANY, "records": "company details", "on_purge": "anonymise",
          "rows_deleted": 0, "rows_anonymised": 1, "rows_kept": 0}]  # fmt: skip
    financial = [s["table_name"] for s in steps if s["on_purge"] == "anonymise"]
    audit = [s["table_name"] for s in steps if s["on_purge"] == "keep"]
    return {
        "title": "Deletion certificate",
        "company": {"id": str(purge["company_id"]), "name": purge["company_name"]},
        "closed_at": purge["closed_at"].isoformat(),
        "purge_scheduled_for": purge["scheduled_for"].isoformat(),
        "purge_started_at": purge["started_at"].isoformat(),
        "purge_finished_at": at.isoformat(),
        "tables": tables,
        "files_removed": purge["files_found"] or 0,
        "audit_keys_destroyed": shredded,
        "kept": [
            {
                "what": "Financial records (invoices, their lines and taxes, payments, refunds)",
                "tables": financial,
                "why": "The law requires them for 7 years; every personal detail and every link to"
                " a customer, address, job or visit was removed.",
                "until": _years_later(latest, FINANCIAL_YEARS),
            },
            {
                "what": "The audit log",
                "tables": audit,
                "why": "Kept for its 2 years as promised; the keys to every personal value in it"
                " were destroyed, so those values can no longer be read.",
                "until": _years_later(at, AUDIT_YEARS),
            },
            {
                "what": "The company's name and dates",
                "tables": [COMPANY],
                "why": "Kept with the financial records, which say whose records they are; its"
                " address, phone, licence number and logo were removed.",
                "until": _years_later(latest, FINANCIAL_YEARS),
            },
        ],
        "backups": BACKUPS,
    }


def _email(to: str, purge: Row, link: str, signed: certificates.Signed) -> email.Email:
    rendered = TEMPLATES.get_template("email/deletion_certificate.txt").render(
        company_name=purge["company_name"], link=link, digest=signed.digest, key_id=signed.key_id
    )
    return email.compose(rendered, to=to, kind="deletion_certificate", tenant_id=None)


def _one(conn: Connection, query: str, params: dict[str, Any] | None = None) -> Row:
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row


def _certify(conn: Connection, purge: Row, seed: bytes, public_url: str) -> Row:
    """Sign and store the certificate, mint its link and email it to the former owners; the
    company's audit keys destroyed and its details blanked first."""
    company = purge["company_id"]
    shredded = _one(conn, queries.shred_audit_keys, {"company": company})["shredded"]
    conn.execute(queries.anonymise_company, {"company": company})
    at = _one(conn, queries.now)["now"]
    steps = conn.execute(queries.steps_of, {"purge": purge["id"]}).fetchall()
    signed = certificates.signed(
        seed, document(purge, steps, shredded, _latest_kept(conn, company, steps), at)
    )
    certificate = _one(
        conn,
        queries.store_certificate,
        {"company": company, "purge": purge["id"], "name": purge["company_name"],
         "document": signed.document, "digest": signed.digest,
         "signature": certificates.signature_bytes(signed), "key_id": signed.key_id,
         "issued_at": at},
    )  # fmt: skip
    token = _one(conn, queries.new_certificate_link, {"certificate": certificate["id"]})["token"]
    for to in purge["recipients"]:
        email.queue(conn, _email(to, purge, f"{public_url}/certificate/{token}", signed))
    return {"finished_at": at, "shredded": shredded}


def finish(
    pool: ConnectionPool, purge_id: UUID, worker: UUID, seed: bytes, public_url: str
) -> bool:
    """The purge's last transaction; False when the lease was lost."""
    with service_role_transaction(pool, ACTOR) as conn:
        if hold(conn, purge_id, worker) is None:
            return False
        purge = _one(conn, queries.purge_of, {"purge": purge_id})
        done = _certify(conn, purge, seed, public_url)
        conn.execute(queries.finish_purge, {"purge": purge_id, **done})
        conn.execute(
            queries.company_purged,
            {"company": purge["company_id"], "finished_at": done["finished_at"]},
        )
    return True
