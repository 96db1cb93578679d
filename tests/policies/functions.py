"""The function matrix's machinery: which functions an API role may call (from the catalog), the
arguments each gets (synthesised by type and name from company A's real rows), and what a call
reveals about A.

A call is judged two ways. Its result (or error) is serialised and searched for A's values: ids
and personal values found in A's rows and not in B's. And it is repeated with A's ids and values
replaced by unknown ones: a function that answers differently for A's than for unknown ids tells
something about A (a time zone, a booked time, whether an address has an account), whatever the
values look like. A refusal must look the same for A's ids as for unknown ones, too (another
company's id is "not found", never "not allowed": it must not confirm that the id exists).
"""

from __future__ import annotations

import json
import secrets as random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg.types.range import Range

from app import catalog
from app.db import Connection
from app.migrations import MANAGED_SCHEMAS

# Errors that are a refusal: no privilege, a raise, bad or conflicting input, no such thing, the
# company is closed (PT423, P-11: app.db.COMPANY_CLOSED).
REFUSALS = ("42501", "P0001", "P0002", "22", "23", "28", "PT423")


@dataclass(frozen=True)
class Argument:
    name: str
    type: str  # as format_type prints it: uuid, text[], timestamp with time zone, …
    variadic: bool


@dataclass(frozen=True)
class Function:
    signature: str  # as `flask db check` names it
    schema: str
    name: str
    arguments: tuple[Argument, ...]
    untyped_record: bool  # returns record without output columns: needs a column list


CALLABLE = """
    select format('%%I.%%I(%%s)', n.nspname, p.proname,
                  pg_get_function_identity_arguments(p.oid)) as signature,
           n.nspname as schema, p.proname as name, p.pronargs as nargs,
           p.proargnames as names, p.proargmodes::text[] as modes, p.provariadic <> 0 as variadic,
           array(select format_type(t.oid, null) from unnest(p.proargtypes)
                 with ordinality t(oid, i) order by t.i) as types,
           p.prorettype = 'record'::regtype and p.proallargtypes is null as untyped_record
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = any(%(schemas)s) and p.prokind = 'f'
      and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
      and exists (select from unnest(%(roles)s::text[]) r
                  where has_function_privilege(r, p.oid, 'EXECUTE'))
      and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
    order by 1
"""


def callable_functions(conn: Connection) -> list[Function]:
    """Every function of the managed schemas that anon, authenticated or the sign-in role may
    execute (triggers aside): the catalog decides, so a new one is covered when it exists."""
    rows = conn.execute(
        CALLABLE, {"schemas": list(MANAGED_SCHEMAS), "roles": catalog.api_roles(conn)}
    ).fetchall()
    functions = []
    for row in rows:
        names, modes = row["names"] or [], row["modes"]
        inputs = [n for n, m in zip(names, modes, strict=False) if m in "ibv"] if modes else names
        inputs = (list(inputs) + [""] * row["nargs"])[: row["nargs"]]
        arguments = tuple(
            Argument(name, type_, row["variadic"] and i == row["nargs"] - 1)
            for i, (name, type_) in enumerate(zip(inputs, row["types"], strict=True))
        )
        functions.append(
            Function(row["signature"], row["schema"], row["name"], arguments, row["untyped_record"])
        )
    return functions


# --- arguments ------------------------------------------------------------------------------

Unknown = Callable[[], Any]  # an unknown value standing in for one of A's


@dataclass(frozen=True)
class Values:
    """Company A's real rows, named for argument synthesis."""

    ids: dict[str, UUID]  # tenant, customer, property, job, visit, equipment, technician, …
    email: str  # an A member's address (accounts are found by email)
    customer_name: str
    customer_digits: str
    street: str
    day: date  # a working day


def _unknown_uuid() -> UUID:
    return uuid4()


def _unknown_name() -> str:
    return f"Nobody{random.token_hex(4)}"


def _unknown_email() -> str:
    return f"nobody-{random.token_hex(4)}@example.com"


def _stem(name: str) -> str:
    """`p_technician_id` → `technician`."""
    stem = name.lower().removeprefix("p_").removeprefix("_").removeprefix("in_")
    stem = stem.removesuffix("_ids").removesuffix("_id")
    return stem if stem.endswith(("ss", "us")) else stem.removesuffix("s")


UUID_STEMS = {"account": "technician", "member": "technician", "user": "technician"}
INTEGERS = {"limit": 50, "day": 14, "minute": 60, "buffer": 30, "window_hour": 2, "month": 10}


def _id_kind(stem: str, values: Values) -> str | None:
    """Which of A's ids an argument named so stands for; None when the name does not say."""
    key = UUID_STEMS.get(stem, stem)
    return key if key in values.ids else "tenant" if "tenant" in key or "compan" in key else None


def _uuid_for(stem: str, values: Values, fallback: str) -> UUID:
    return values.ids[_id_kind(stem, values) or fallback]


def _text_for(stem: str, values: Values) -> tuple[str, Unknown | None]:
    """A text argument: A's value with its unknown stand-in, or a plain constant."""
    constants = {
        "kind": "repair", "job_kind": "repair", "role": "owner", "status": "scheduled",
        "table": "public.customers", "operation": "access", "time_zone": "America/Chicago",
        "zone": "America/Chicago", "from": "scheduled", "to": "dispatched",
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    }  # fmt: skip
    if stem in constants:
        return constants[stem], None
    if "email" in stem or "subject" in stem:
        return values.email, _unknown_email
    if "digit" in stem or "phone" in stem:
        return values.customer_digits, lambda: "1" + str(random.randbelow(10**9)).zfill(9)
    if "address" in stem or "street" in stem:
        return values.street, lambda: f"{random.randbelow(900) + 100} Nowhere Road"
    if "row_key" in stem or stem == "key":
        return str(values.ids["customer"]), lambda: str(uuid4())
    return values.customer_name, _unknown_name


def argument_for(
    argument: Argument, values: Values, fallback: str = "tenant"
) -> tuple[Any, Unknown | None] | str:
    """(A's value, a maker of unknown stand-ins or None when not A's), or why it cannot be made.
    A uuid whose name does not say what it is gets A's id of the `fallback` kind."""
    stem, type_ = _stem(argument.name), argument.type
    if type_ == "uuid":
        return _uuid_for(stem, values, fallback), _unknown_uuid
    if type_ == "uuid[]":
        return [_uuid_for(stem, values, fallback)], lambda: [uuid4()]
    if type_ in ("text", "character varying", "citext"):
        return _text_for(stem, values)
    if type_ in ("text[]", "character varying[]"):
        value, unknown = _text_for(stem, values)
        return [value], (lambda: [unknown()]) if unknown else None
    fixed: dict[str, Any] = {
        "bytea": random.token_bytes(32),
        "bytea[]": [random.token_bytes(32)],
        "boolean": True,
        "integer": INTEGERS.get(stem, 10),
        "smallint": INTEGERS.get(stem, 10),
        "bigint": INTEGERS.get(stem, 10),
        "numeric": Decimal("10"),
        "date": values.day,
        "timestamp with time zone": datetime.now(UTC) + timedelta(days=1),
        "timestamp without time zone": datetime.now() + timedelta(days=1),
        "interval": timedelta(hours=1),
        "time without time zone": time(9, 30),
        "double precision": 10.0,
        "real": 10.0,
        "inet": "203.0.113.7",
        "jsonb": Jsonb({}),
        "json": Jsonb({}),
        "tstzrange": Range(datetime.now(UTC), datetime.now(UTC) + timedelta(hours=2)),
    }
    if type_ in fixed:
        return fixed[type_], None
    return f"no value for an argument of type {type_} ({argument.name or 'unnamed'})"


# --- calls ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    result: str | None  # the rows as JSON, or None after an error
    sqlstate: str | None
    error: str  # message and detail

    def text(self) -> str:
        return self.result if self.result is not None else self.error

    def normalised(self, arguments: list[Any]) -> tuple[str | None, str | None]:
        """The result with the call's own argument values blanked out (an echo is no leak)."""
        if self.result is None:
            return None, self.sqlstate
        text = self.result
        for i, value in enumerate(arguments):
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, str | UUID):
                    text = text.replace(str(part), f"<argument {i}>")
        return text, None


def statement(function: Function) -> sql.Composed:
    """`select … from schema.name($1::type, …) r`, every row serialised by PostgreSQL."""
    arguments = [
        sql.SQL("{}{}::{}").format(
            sql.SQL("variadic " if argument.variadic else ""),
            sql.Placeholder(),
            sql.SQL(argument.type),  # from the catalog's format_type, never from input
        )
        for argument in function.arguments
    ]
    return sql.SQL(
        "select coalesce(jsonb_agg(to_jsonb(r)), '[]')::text as result from {}({}) r"
    ).format(sql.Identifier(function.schema, function.name), sql.SQL(", ").join(arguments))


def call(conn: Connection, function: Function, arguments: list[Any]) -> Outcome:
    """One call in a savepoint that is rolled back."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("select set_config('statement_timeout', '10s', true)")
            row = conn.execute(statement(function), arguments).fetchone()
    except psycopg.Error as error:
        diag = error.diag
        text = " ".join(
            filter(None, (diag.message_primary, diag.message_detail, diag.message_hint))
        )
        return Outcome(None, error.sqlstate, text)
    return Outcome(row["result"] if row else "[]", None, "")


def is_refusal(sqlstate: str | None) -> bool:
    return sqlstate is None or sqlstate.startswith(REFUSALS)


Made = list[tuple[Any, Unknown | None]]  # per argument: A's value, its unknown stand-in maker


def arguments_for(function: Function, values: Values) -> list[Made] | str:
    """The argument lists of the calls with A's values, or why the function cannot be called:
    one list, or one per kind of A's ids when a uuid argument's name does not say what it is."""
    if function.untyped_record:
        return "returns record without output columns"
    unnamed = any(
        a.type in ("uuid", "uuid[]") and _id_kind(_stem(a.name), values) is None
        for a in function.arguments
    )
    calls = []
    for fallback in values.ids if unnamed else ["tenant"]:
        made = []
        for argument in function.arguments:
            value = argument_for(argument, values, fallback)
            if isinstance(value, str):
                return value
            made.append(value)
        calls.append(made)
    return calls


def _flat(values: list[Any]) -> set[str]:
    return {str(v) for value in values for v in (value if isinstance(value, list) else [value])}


def findings(
    conn: Connection, function: Function, made: Made, secrets: frozenset[str]
) -> list[str]:
    """What one actor's calls of the function reveal about company A (nothing, ideally)."""
    a_arguments = [value for value, _ in made]
    outcome = call(conn, function, a_arguments)
    found = []
    text = outcome.text()
    leaked = sorted(s for s in secrets - _flat(a_arguments) if s in text)
    if leaked:
        found.append(f"its answer holds A's {', '.join(leaked[:3])}: {text[:200]}")
    if not is_refusal(outcome.sqlstate):
        found.append(f"failed with {outcome.sqlstate}, not a refusal: {outcome.error[:200]}")
    if any(unknown for _, unknown in made):
        stand_ins = [[unknown() if unknown else value for value, unknown in made] for _ in "12"]
        first, second = (call(conn, function, args).normalised(args) for args in stand_ins)
        if first == second and outcome.normalised(a_arguments) != first:
            found.append(
                f"answers differently for A's ids and values ({outcome.normalised(a_arguments)})"
                f" than for unknown ones ({first})"
            )
    return found


def json_strings(value: Any) -> set[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*map(json_strings, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(json_strings, value)) if value else set()
    return set()


def rows_as_json(
    conn: Connection, table: sql.Composable, tenant_column: str, tenant: UUID
) -> set[str]:
    rows = conn.execute(
        sql.SQL("select to_jsonb(t)::text as row from {} t where {} = %(t)s").format(
            table, sql.Identifier(tenant_column)
        ),
        {"t": tenant},
    ).fetchall()
    return set().union(*(json_strings(json.loads(row["row"])) for row in rows)) if rows else set()
