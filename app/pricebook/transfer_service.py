"""The price book's CSV export, and what importing a file does to the book: every row matched
with the book as it is and checked first (the plan), then every change written together, so a
row the database refuses leaves none of them behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from app import db
from app.csv_export import Export, build_rows
from app.pricebook import service
from app.pricebook.transfer_file import COLUMNS, DEFAULTS, Problem, Row, checked, kind_kept

EXPORT = Export("public.price_items", service.queries.export_items, COLUMNS)


def export(tenant_id: UUID) -> list[str]:
    """The whole book as CSV chunks, read in the request's transaction (a recorded read)."""
    return build_rows(EXPORT, {"tenant_id": tenant_id}, "export_price_items")


@dataclass(frozen=True)
class Change:
    line: int
    action: str  # "add", "update" or "unchanged"
    values: dict[str, Any]  # every column of the item as it will be
    item_id: UUID | None = None
    changed: tuple[str, ...] = ()  # the columns an update changes
    new_category: bool = False


@dataclass
class Plan:
    rows: int
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    new_categories: dict[str, str] = field(default_factory=dict)  # lower-cased → as written

    def of(self, action: str) -> list[Change]:
        return [change for change in self.changes if change.action == action]

    @property
    def has_changes(self) -> bool:
        return any(change.action != "unchanged" for change in self.changes)


class _Book:
    """The book as rows of a file are matched with it, and what earlier rows claimed."""

    def __init__(self, items: list[db.Row], categories: list[db.Row]) -> None:
        self.by_code = {item["code"].lower(): item for item in items if item["code"]}
        self.by_name: dict[str, list[db.Row]] = {}
        for item in items:
            self.by_name.setdefault(item["name"].lower(), []).append(item)
        self.categories = {c["name"].lower(): c["name"] for c in categories}
        self.claimed: dict[str, int] = {}  # an item's code or (without one) name → its line

    def match(self, line: int, values: dict[str, Any]) -> db.Row | Problem | None:
        """The item a row updates: the one with its code (whatever its case); for a row without
        a code, the one item of its name without a code (any item of its name when the file has
        no code column at all); None for a new item."""
        code, name = values.get("code"), values["name"]
        key = f"code {code.lower()}" if code else f"name {name.lower()}"
        if key in self.claimed:
            earlier = self.claimed[key]
            if code:
                return Problem(line, "code", f"The code “{code}” is also on line {earlier}.")
            return Problem(line, "name", f"“{name}”, without a code, is also on line {earlier}.")
        self.claimed[key] = line
        if code:
            return self.by_code.get(code.lower())
        same = self.by_name.get(name.lower(), [])
        if "code" in values:
            same = [item for item in same if not item["code"]]
        if len(same) > 1:
            message = f"Several items are named “{name}”: tell them apart by their codes."
            return Problem(line, "name", message)
        return same[0] if same else None


def plan(tenant_id: UUID, rows: list[Row]) -> Plan:
    """What importing `rows` would do to the book as it is now, and every row's problems."""
    params = {"tenant_id": tenant_id}
    book = _Book(
        db.query(service.queries.items_to_import_into, params), service.categories(tenant_id)
    )
    result = Plan(len(rows))
    for row in rows:
        found = _plan_row(book, result, row)
        if isinstance(found, Change):
            result.changes.append(found)
        else:
            result.problems += found
    return result


def _plan_row(book: _Book, result: Plan, row: Row) -> Change | list[Problem]:
    if row.problems:
        return list(row.problems)
    item = book.match(row.line, row.values)
    if isinstance(item, Problem):
        return [item]
    values = {**(item or DEFAULTS), **row.values}
    values = {column: values[column] for column in COLUMNS}
    if item is not None and values["kind"] != item["kind"]:
        return [kind_kept(row.line, item["name"], item["kind"])]
    problems = checked(row.line, values, price_given=row.values.get("price") is not None)
    if problems:
        return problems
    new_category = _category(book, result, values)
    if item is None:
        return Change(row.line, "add", values, new_category=new_category)
    changed = tuple(column for column in COLUMNS if values[column] != item[column])
    action = "update" if changed else "unchanged"
    return Change(row.line, action, values, UUID(str(item["id"])), changed, new_category)


def _category(book: _Book, result: Plan, values: dict[str, Any]) -> bool:
    """Name the row's category as the book (or the file's first row naming it) spells it;
    True when the import makes it."""
    if values["category"] is None:
        return False
    key = values["category"].lower()
    if key in book.categories:
        values["category"] = book.categories[key]
        return False
    values["category"] = result.new_categories.setdefault(key, values["category"])
    return True


class Refused(Exception):
    """The database refused a row: nothing of the import was kept."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def apply(tenant_id: UUID, planned: Plan) -> None:
    """Make the new categories and write every added and updated item, all together; raises
    Refused (naming the row) when the database refuses one of them."""
    with db.atomic():
        category_ids = {c["name"].lower(): c["id"] for c in service.categories(tenant_id)}
        first_use: dict[str, int] = {}  # a new category → the first line naming it
        for change in planned.changes:
            if change.new_category:
                first_use.setdefault(change.values["category"].lower(), change.line)
        for key, name in planned.new_categories.items():
            try:
                category_ids[key] = service.create_category(tenant_id, name)
            except db.ConstraintViolation as violation:
                raise _refusal(first_use[key], violation) from violation
        for change in planned.changes:
            try:
                _write(tenant_id, change, category_ids)
            except db.ConstraintViolation as violation:
                raise _refusal(change.line, violation) from violation


def _refusal(line: int, violation: db.ConstraintViolation) -> Refused:
    column = violation.field if violation.field in COLUMNS else ""
    return Refused(Problem(line, column or "", violation.message))


def _write(tenant_id: UUID, change: Change, category_ids: dict[str, Any]) -> None:
    """Add or update one item (an unchanged one is not written at all)."""
    if change.action == "unchanged":
        return
    values = dict(change.values)
    category = values.pop("category")
    values["category_id"] = category_ids[category.lower()] if category else None
    item_id = change.item_id
    if item_id is None:
        item_id = service.create_item(tenant_id, values)
        archived_changes = values["archived"]
    else:
        service.update_item(tenant_id, item_id, values)
        archived_changes = "archived" in change.changed
    if archived_changes:
        service.set_item_archived(tenant_id, item_id, values["archived"])
