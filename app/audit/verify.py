"""`flask audit verify`: recompute every company's hash chain and report the first broken link."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app.db import Connection


@dataclass(frozen=True)
class Break:
    tenant_id: UUID
    seq: int | None
    txid: str | None
    problem: str

    def __str__(self) -> str:
        where = f"link {self.seq}" if self.seq is not None else "unlinked rows"
        txid = f" (transaction {self.txid})" if self.txid else ""
        return f"company {self.tenant_id}: {where}{txid}: {self.problem}"


def companies_with_a_log(conn: Connection) -> list[UUID]:
    rows = conn.execute(
        "select tenant_id from audit.chain_heads"
        " union select distinct tenant_id from audit.changes order by 1"
    ).fetchall()
    return [row["tenant_id"] for row in rows]


def verify(conn: Connection, tenant_id: UUID) -> list[Break]:
    """Every problem in one company's chain, in chain order; empty when it is whole."""
    rows = conn.execute(
        "select seq, txid::text as txid, problem from audit.verify(%(tenant)s)",
        {"tenant": tenant_id},
    ).fetchall()
    return [Break(tenant_id, row["seq"], row["txid"], row["problem"]) for row in rows]


def chain_length(conn: Connection, tenant_id: UUID) -> int:
    row = conn.execute(
        "select coalesce(seq - start_seq + 1, 0) as links from audit.chain_heads"
        " where tenant_id = %(tenant)s",
        {"tenant": tenant_id},
    ).fetchone()
    return int(row["links"]) if row else 0
