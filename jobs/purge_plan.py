"""The purge's plan, read from the catalog and app.retention_rules, never from a hand list: every
company table in dependency order (children before parents), and the statement that deletes or
anonymises a batch of one company's rows of each. A table added later is in the plan by
construction; a table the purge could not handle safely stops the purge before it starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from psycopg import sql

from app import catalog
from app.db import Connection, Row
from app.sql import load

queries = load(__file__, "purge.sql")
ACTOR = "system:purge"  # what the audit log names as the purge
LEASE = "2 minutes"  # a worker's hold on a purge, renewed by each batch
COMPANY = "public.tenants"  # anonymised last, by the purge's finish, not as a step
NO_ID = "00000000-0000-0000-0000-000000000000"
# The anonymous value of a personal column that may not be empty (the erased customer's form of
# an invoice, app.erase_customer); any other personal text becomes '' and anything nullable null.
ANONYMOUS_TEXT = {"bill_to_name": "Erased customer", "description": "Erased"}


class PlanRefused(Exception):
    """The schema holds something the purge would mishandle; nothing was purged."""


@dataclass(frozen=True)
class ForeignKey:
    source: str
    target: str
    on_delete: str  # a: no action, r: restrict, c: cascade, n: set null, d: set default
    columns: list[str]
    referenced: list[str]

    @property
    def blocks(self) -> bool:
        """A parent row cannot go while a child row names it."""
        return self.on_delete in ("a", "r")


@dataclass
class Plan:
    steps: list[tuple[str, str]] = field(default_factory=list)  # (table, on_purge) in order
    keys: list[ForeignKey] = field(default_factory=list)


def plan(conn: Connection) -> Plan:
    """Every company table with what the purge does with it, children before parents."""
    tables = catalog.tenant_tables(conn)
    rules = {r["table_name"]: r["on_purge"] for r in conn.execute(queries.purge_rules)}
    missing = [t for t in tables if t not in rules]
    if missing:
        raise PlanRefused(f"no purge rule for {', '.join(missing)}")
    keys = [ForeignKey(**row) for row in catalog.company_foreign_keys(conn, tables)]
    for key in keys:
        if rules[key.source] != "delete" and rules[key.target] == "delete" and key.on_delete == "c":
            raise PlanRefused(f"{key.source} would lose kept rows with {key.target} (cascade)")
    touched = sorted(t for t in tables if t != COMPANY and rules[t] != "keep")
    ordered = _children_first(touched, [k for k in keys if k.source != k.target])
    kept = sorted(t for t in tables if rules[t] == "keep")
    return Plan([(t, rules[t]) for t in ordered] + [(t, "keep") for t in kept], keys)


def _children_first(tables: list[str], keys: list[ForeignKey]) -> list[str]:
    """Kahn's order: a table once every table naming it is done. In a cycle, the table first
    that only cascading or nulling keys still name (e.g. an estimate, whose options go with it),
    so no key refuses a deletion; a cycle of refusing keys refuses the plan."""
    left = list(tables)
    edges = [k for k in keys if k.source in left and k.target in left]
    ordered: list[str] = []
    while left:
        naming = {t: [k for k in edges if k.target == t and k.source in left] for t in left}
        ready = [t for t in left if not naming[t]]
        if not ready:
            ready = sorted(
                t for t in left if _on_cycle(t, naming) and not any(k.blocks for k in naming[t])
            )
            if not ready:
                raise PlanRefused(f"the tables {', '.join(left)} name each other in a cycle")
        ordered.append(ready[0])
        left.remove(ready[0])
    return ordered


def _on_cycle(table: str, naming: dict[str, list[ForeignKey]]) -> bool:
    """Whether `table` is named, through tables that name one another, by itself."""
    seen: set[str] = set()
    todo = [k.source for k in naming[table]]
    while todo:
        current = todo.pop()
        if current == table:
            return True
        if current not in seen:
            seen.add(current)
            todo += [k.source for k in naming.get(current, [])]
    return False


def hold(conn: Connection, purge: UUID, worker: UUID) -> Row | None:
    """Renew this worker's lease on the purge (its row locked till the transaction ends), or
    None when the lease went to another worker (or the purge is done)."""
    return conn.execute(
        queries.hold_purge, {"purge": purge, "worker": worker, "lease": LEASE}
    ).fetchone()


def _name(table: str) -> sql.Identifier:
    schema, _, name = table.partition(".")
    return sql.Identifier(schema, name)


def count(table: str) -> sql.Composed:
    column = "id" if table == COMPANY else "tenant_id"
    return sql.SQL("select count(*) as n from {} where {} = %(company)s").format(
        _name(table), sql.Identifier(column)
    )


def remaining(table: str) -> sql.Composed:
    return sql.SQL("select exists (select from {} where tenant_id = %(company)s) as left").format(
        _name(table)
    )


def delete_batch(table: str, keys: list[ForeignKey]) -> sql.Composed:
    """Delete up to %(batch)s of the company's rows, claimed with skip locked; a row another row
    of the same table still names (e.g. an estimate's revision) waits for a later batch."""
    t = _name(table)
    leaves = [
        sql.SQL(" and not exists (select from {} r where r.tenant_id = x.tenant_id and {})").format(
            t,
            sql.SQL(" and ").join(
                sql.SQL("r.{} = x.{}").format(sql.Identifier(c), sql.Identifier(p))
                for c, p in zip(k.columns, k.referenced, strict=True)
                if c != "tenant_id"
            ),
        )
        for k in keys
        if k.source == table and k.target == table and k.blocks
    ]
    return sql.SQL(
        "with doomed as (select x.ctid from {t} x where x.tenant_id = %(company)s{leaves}"
        " limit %(batch)s for update skip locked)"
        " delete from {t} where tenant_id = %(company)s"
        " and ctid = any(array(select ctid from doomed))"
    ).format(t=t, leaves=sql.Composed(leaves))


def anonymise_batch(conn: Connection, table: str, plan: Plan) -> sql.Composed:
    """Anonymise the company's next %(batch)s rows after %(after)s (in id order): every personal
    column, every link to a deleted table and every staff attribution emptied."""
    columns = {c["name"]: c for c in catalog.table_columns(conn, table)}
    if "id" not in columns:
        raise PlanRefused(f"{table} is anonymised but has no id to go through it by")
    personal = {r["column_name"] for r in conn.execute(queries.personal_columns, {"table": table})}
    rules = dict(plan.steps)
    links = {
        c
        for k in plan.keys
        if k.source == table and rules.get(k.target) == "delete"
        for c in k.columns
        if c != "tenant_id"
    }
    staff = {
        n
        for n, c in columns.items()
        if c["type"] == "uuid" and (n.endswith("_by") or n == "author_id")
    }
    emptied = []
    for name in sorted(personal | links | staff):
        column = columns[name]
        if column["nullable"]:
            value: sql.Composable = sql.SQL("null")
        elif name in links or column["type"] != "text":
            raise PlanRefused(f"{table}.{name} cannot be emptied (not null)")
        else:
            value = sql.Literal(ANONYMOUS_TEXT.get(name, ""))
        emptied.append(sql.SQL("{} = {}").format(sql.Identifier(name), value))
    if not emptied:  # nothing personal in it (e.g. an invoice's tax rates): gone through only
        return sql.SQL(
            "select id from {t} where tenant_id = %(company)s and id > %(after)s"
            " order by id limit %(batch)s"
        ).format(t=_name(table))
    return sql.SQL(
        "with batch as (select id from {t} where tenant_id = %(company)s and id > %(after)s"
        " order by id limit %(batch)s for update)"
        " update {t} x set {set} from batch where x.tenant_id = %(company)s and x.id = batch.id"
        " returning x.id"
    ).format(t=_name(table), set=sql.SQL(", ").join(emptied))
