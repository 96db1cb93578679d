"""`flask audit verify`: recompute every company's hash chain and report the first broken link,
then hold the recomputed chain against the company's signed checkpoints (app/audit/checkpoints):
a rewrite that recomputed every link and the head is caught there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from app import sql
from app.audit import checkpoints
from app.audit.checkpoints import Checkpoint
from app.db import Connection

queries = sql.load(__file__)


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


@dataclass(frozen=True)
class Anchoring:
    """What a company's checkpoints say about its chain: problems, and a note when it is whole."""

    problems: list[Break]
    note: str


def companies_with_a_log(conn: Connection) -> list[UUID]:
    rows = conn.execute(queries.companies_with_a_log).fetchall()
    return [row["tenant_id"] for row in rows]


def verify(conn: Connection, tenant_id: UUID) -> list[Break]:
    """Every problem in one company's chain, in chain order; empty when it is whole."""
    rows = conn.execute(
        queries.verify_chain,
        {"tenant": tenant_id},
    ).fetchall()
    return [Break(tenant_id, row["seq"], row["txid"], row["problem"]) for row in rows]


def chain_length(conn: Connection, tenant_id: UUID) -> int:
    row = conn.execute(
        queries.chain_length,
        {"tenant": tenant_id},
    ).fetchone()
    return int(row["links"]) if row else 0


def checkpoints_of(conn: Connection, tenant_id: UUID) -> list[Checkpoint]:
    rows = conn.execute(checkpoints.queries.checkpoints_of, {"tenant_id": tenant_id}).fetchall()
    return [Checkpoint(**row) for row in rows]


def _recomputed(conn: Connection, tenant_id: UUID, seqs: list[int]) -> dict[int, bytes]:
    rows = conn.execute(
        checkpoints.queries.recomputed_hashes, {"tenant_id": tenant_id, "seqs": seqs}
    ).fetchall()
    return {row["seq"]: bytes(row["chain_hash"]) for row in rows}


def _retained_start(conn: Connection, tenant_id: UUID) -> int:
    """The position where the retained chain starts: 0, or the last link retention removed."""
    row = conn.execute(
        queries.retained_start,
        {"tenant": tenant_id},
    ).fetchone()
    return int(row["start"]) if row else 0


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _checkpoint_problem(checkpoint: Checkpoint, recomputed: dict[int, bytes], start: int) -> str:
    """Why a well-signed checkpoint disagrees with the recomputed chain ('' when it agrees)."""
    if checkpoint.seq < start:
        return ""  # the retention sweep removed that part of the chain
    hash_there = recomputed.get(checkpoint.seq)
    if hash_there is None:
        return (
            f"a checkpoint signed {_when(checkpoint.signed_at)} names this link,"
            " which the chain no longer has"
        )
    if hash_there != checkpoint.chain_hash:
        return (
            f"the checkpoint signed {_when(checkpoint.signed_at)} does not match"
            " the recomputed chain here: the log was rewritten"
        )
    return ""


def check_checkpoints(conn: Connection, tenant_id: UUID, keys: dict[str, bytes]) -> Anchoring:
    """Each checkpoint's signature, and the recomputed chain's hash at each signed position."""
    signed = checkpoints_of(conn, tenant_id)
    if not signed:
        return Anchoring([], "no checkpoint yet (nothing outside the database vouches for it)")
    recomputed = _recomputed(conn, tenant_id, [checkpoint.seq for checkpoint in signed])
    start = _retained_start(conn, tenant_id)
    problems = []
    for checkpoint in signed:
        problem = checkpoints.signature_problem(checkpoint, keys) or _checkpoint_problem(
            checkpoint, recomputed, start
        )
        if problem:
            problems.append(Break(tenant_id, checkpoint.seq, None, problem))
    last = signed[-1]
    note = f"checkpoint at link {last.seq}, signed {_when(last.signed_at)}"
    return Anchoring(problems, note)
