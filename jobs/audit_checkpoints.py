"""P-08: anchor every company's audit chain outside the database.

Every 15 minutes (by the database clock), each company whose chain head moved gets a checkpoint:
its head signed with AUDIT_SIGNING_KEY, which only the configuration holds (app/audit/
checkpoints.py). Once a day each company's owners are emailed a receipt of the newest checkpoint,
a copy of it that the database cannot rewrite. `flask audit verify` checks the chain against the
checkpoints.

Finding heads crosses companies, hence the service role; the receipt is queued with an owner's
claims and the actor `system:audit_checkpoints`, so row-level security and the audit log apply.
A second worker at once signs nothing twice (one checkpoint per position, one receipt per day)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2
from psycopg_pool import ConnectionPool

from app import db
from app.audit import checkpoints
from app.config import Settings
from app.integrations import email
from jobs import Job, register

ACTOR = "system:audit_checkpoints"
EVERY = "15 minutes"
BATCH = 200
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(
        Path(checkpoints.__file__).resolve().parent.parent / "templates"
    ),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # plain-text email  # noqa: S701
)
queries = checkpoints.queries


def sign_due_heads(pool: ConnectionPool, seed: bytes) -> int:
    """Sign every head that moved since its checkpoint at least 15 minutes ago; how many."""
    signed = 0
    while True:
        with db.service_role_transaction(pool) as conn:
            due = conn.execute(queries.due_heads, {"every": EVERY, "batch": BATCH}).fetchall()
            for head in due:
                checkpoint = checkpoints.sign(
                    seed, head["tenant_id"], head["seq"], head["chain_hash"], head["signed_at"]
                )
                signed += conn.execute(queries.insert_checkpoint, asdict(checkpoint)).rowcount
        if len(due) < BATCH:
            return signed


def _receipt(owner: dict[str, Any], due: dict[str, Any], seed: bytes) -> email.Email:
    checkpoint = checkpoints.Checkpoint(
        **{field: due[field] for field in checkpoints.Checkpoint.__dataclass_fields__}
    )
    statement = checkpoints.statement_of(checkpoint)
    rendered = TEMPLATES.get_template("email/audit_receipt.txt").render(
        company_name=owner["company_name"],
        full_name=owner["full_name"],
        day=due["day"].isoformat(),
        tenant_id=checkpoint.tenant_id,
        seq=checkpoint.seq,
        chain_hash=bytes(checkpoint.chain_hash).hex(),
        signed_at=checkpoints.timestamp(checkpoint.signed_at),
        key_id=checkpoint.key_id,
        signature=checkpoints.encoded(checkpoint.signature),
        public_key=checkpoints.encoded(checkpoints.public_key_bytes(seed)),
        statement=statement.decode(),
    )
    return email.compose(
        rendered, to=owner["email"], kind="audit_receipt", tenant_id=checkpoint.tenant_id
    )


def queue_receipt(pool: ConnectionPool, due: dict[str, Any], seed: bytes) -> int:
    """Record today's receipt and queue it to each active owner, in one transaction; how many
    emails (none when another worker was first)."""
    with db.service_role_transaction(pool) as conn:
        params = {"tenant_id": due["tenant_id"], "day": due["day"], "seq": due["seq"]}
        if conn.execute(queries.record_receipt, params).fetchone() is None:
            return 0
        owners = conn.execute(queries.receipt_recipients, params).fetchall()
        if not owners:
            return 0
        # The rest of the transaction acts in the company's name (its audit log names the job).
        db.begin(conn, {"role": "service_role", "tenant_id": str(due["tenant_id"]), "actor": ACTOR})
        for owner in owners:
            email.queue(conn, _receipt(owner, due, seed))
        return len(owners)


def send_due_receipts(pool: ConnectionPool, seed: bytes) -> int:
    """Email today's receipt to each company with a checkpoint not receipted yet; how many."""
    sent = 0
    while True:
        with db.service_role_transaction(pool) as conn:
            due = conn.execute(queries.due_receipts, {"batch": BATCH}).fetchall()
        for company in due:
            sent += queue_receipt(pool, company, seed)
        if len(due) < BATCH:
            return sent


def sweep(pool: ConnectionPool, seed: bytes | None = None) -> int:
    """Sign the due heads, then send the due receipts; returns how many of both."""
    if seed is None:  # the worker's: from its configuration
        seed = Settings.from_env().audit_signing_key
    return sign_due_heads(pool, seed) + send_due_receipts(pool, seed)


JOB = register(Job("audit_checkpoints", every_seconds=60, sweep=sweep))
