"""P-12: the retention sweeps, daily, from one table of rules (app.retention_rules).

Every rule with a period is swept with the cutoff app.now() - period, computed once per rule by
the database (calendar arithmetic: a record made on 29 February is kept through 28 February
of its last year and goes on 1 March). A rule that
names a sweep_function is swept by it (`fn(p_cutoff timestamptz, p_batch integer) returns
integer`); any other is a delete by age through app.sweep_by_age. Each batch is a short
transaction of its own, repeated until one handles fewer than a batch; the functions lock with
skip locked, so two sweeps at once share the work. One of the few cross-company jobs, hence the
service role (which the closed companies' read-only guard also lets through). A rule that fails
is logged and the others still run; then the sweep raises, so the worker counts it failed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from psycopg import sql
from psycopg_pool import ConnectionPool

from app.db import service_role_transaction
from jobs import Job, in_batches, register

log = logging.getLogger("jobs.retention")
BATCH = 1000
ACTOR = "system:retention"

PERIODIC_RULES = """
select record_kind, sweep_function, app.retention_cutoff(record_kind) as cutoff
from app.retention_rules where period is not null order by record_kind
"""


@dataclass(frozen=True)
class Rule:
    record_kind: str
    sweep_function: str | None
    cutoff: datetime


class RetentionFailed(RuntimeError):
    """Some rules could not be swept; the others were."""


def periodic_rules(pool: ConnectionPool) -> list[Rule]:
    """The rules with a period, each with its cutoff by the database clock."""
    with service_role_transaction(pool, ACTOR) as conn:
        return [Rule(**row) for row in conn.execute(PERIODIC_RULES).fetchall()]


def _batch_call(rule: Rule) -> sql.SQL | sql.Composed:
    if rule.sweep_function is None:
        return sql.SQL("select app.sweep_by_age(%(kind)s, %(cutoff)s, %(batch)s) as handled")
    schema, name = rule.sweep_function.split(".")
    return sql.SQL("select {}(%(cutoff)s, %(batch)s) as handled").format(
        sql.Identifier(schema, name)
    )


def sweep_rule(pool: ConnectionPool, rule: Rule, batch: int = BATCH) -> int:
    """Sweep one rule, a batch per transaction; returns how many rows it deleted or blanked."""
    params = {"kind": rule.record_kind, "cutoff": rule.cutoff, "batch": batch}
    return in_batches(pool, ACTOR, _batch_call(rule), params)


def sweep_kind(pool: ConnectionPool, record_kind: str, batch: int = BATCH) -> int:
    """Sweep the one rule of that record kind, as the daily sweep does."""
    (rule,) = [rule for rule in periodic_rules(pool) if rule.record_kind == record_kind]
    return sweep_rule(pool, rule, batch)


def sweep(pool: ConnectionPool, batch: int = BATCH) -> int:
    """Sweep every rule with a period; returns the rows handled, or raises once all have run
    if any rule failed."""
    handled = 0
    failed: list[str] = []
    for rule in periodic_rules(pool):
        try:
            count = sweep_rule(pool, rule, batch)
        except Exception:
            log.exception("retention rule %r failed; the other rules still run", rule.record_kind)
            failed.append(rule.record_kind)
            continue
        if count:
            log.info("retention rule %r: %d row(s)", rule.record_kind, count)
        handled += count
    if failed:
        raise RetentionFailed(f"retention rules failed: {', '.join(failed)}")
    return handled


JOB = register(Job("retention", every_seconds=24 * 3600, sweep=sweep))
