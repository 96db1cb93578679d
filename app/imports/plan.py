"""What an import will do, before anything is saved: a plan of items, one per record to save,
each with the lines of the file it came from and the flags beside its values; and the lines
left out, each with its reason. Every kind of import (customers, equipment, service history,
agreements, open balances, invoice history) makes a plan from the file's rows and then applies
it; app.imports.engine stores the plan for the preview, applies it, and undoes it.

A kind is a module in app/imports/kinds/ with a `KIND: Kind` (app.imports.kinds.KINDS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

from app.db import Connection
from app.imports.csvfile import Record

FlagKind = Literal["repaired", "left_out", "merged", "note"]
Action = Literal["new", "update", "unchanged"]


@dataclass(frozen=True)
class Flag:
    """Shown beside a value in the preview: `field` names the value ("phone", "postal_code",
    "properties[1].street", "contacts[0].email"), `value` is what the file said, `note` what was
    done and why ("Leading zero restored: MA ZIPs start with 0.")."""

    field: str
    value: str
    note: str
    kind: FlagKind = "repaired"

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "value": self.value, "note": self.note, "kind": self.kind}


@dataclass
class Item:
    """One record as it will be saved. `data` is JSON: for a customer, its columns plus lists
    `properties`, `contacts`, `phones`, `emails`; `label` is how the preview names it (a
    customer's display name); `target_id` the existing record an update changes."""

    kind: str
    lines: list[int]
    data: dict[str, Any]
    label: str = ""
    action: Action = "new"
    target_id: UUID | None = None
    flags: list[Flag] = field(default_factory=list)


@dataclass(frozen=True)
class LeftOut:
    """A line of the file that makes no record: a title or total row, a QuickBooks job row, a
    row with no name, a duplicate. `cells` are the line's original cells (for the CSV of
    skipped rows, ready to fix and upload again)."""

    line: int
    cells: list[str]
    reason: str


@dataclass
class Plan:
    items: list[Item] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    # rows folded into another row's record (several rows, one customer)
    merged_rows: int = 0


@dataclass(frozen=True)
class Written:
    """A row an import created or changed: `before` is the row as it was, for an update."""

    table: str  # 'public.customers'
    row_id: UUID
    action: Literal["created", "updated"]
    before: dict[str, Any] | None = None


@dataclass(frozen=True)
class Target:
    """A field a column can fill: `many` lets several columns fill it (three phone columns)."""

    label: str
    many: bool = False


Planner = Callable[[Connection, UUID, list[Record], list[str], dict[str, Any]], Plan]
Applier = Callable[[Connection, UUID, list[Item]], list[Written]]


@dataclass(frozen=True)
class Kind:
    """One kind of import: the fields its columns can fill (value → Target, in the order the
    mapping page offers them, "" first for "Ignore"), which of them name the record (a mapping
    must choose at least one), a planner (rows of the file + mapping + the office's options →
    Plan, reading the company's records on the connection, writing nothing) and an applier
    (items → the rows written, in the caller's transaction, as the member)."""

    key: str  # customer_imports.kind: 'customers', 'equipment', ...
    label: str  # "Customers", "Equipment", ...
    item_kind: str  # import_items.kind: 'customer', 'equipment', ...
    targets: dict[str, Target]
    naming: tuple[str, ...]
    plan: Planner
    apply: Applier
    hint: str = ""
    # header words → target, for the guessed mapping (app.imports.fields.guess_mapping)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
