"""The price book as a CSV file, apart from the database: the columns the export writes and the
import reads (headers in any case and order, other columns ignored), each row read into an
item's values and checked by the book's rules (amounts by app.money), and the file carried from
its preview to its confirmation signed, so that a file changed in between is refused."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from itsdangerous import BadData, URLSafeTimedSerializer

from app import imports, money
from app.csv_export import from_cell
from app.pricebook.vocabulary import KINDS, UNITS

# The export's columns, in its order; the import reads the same names.
COLUMNS = (
    "kind",
    "code",
    "name",
    "description",
    "category",
    "unit",
    "price",
    "cost",
    "markup_percent",
    "member_price",
    "member_discount_percent",
    "taxable",
    "archived",
)
# What a new item has for a column the file leaves out.
DEFAULTS: dict[str, Any] = {
    "kind": "service",
    "code": None,
    "description": "",
    "category": None,
    "unit": "each",
    "price": None,
    "cost": None,
    "markup_percent": None,
    "member_price": None,
    "member_discount_percent": None,
    "taxable": True,
    "archived": False,
}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
SIGNED_FOR_SECONDS = 3600  # how long a preview can be confirmed
KIND_NAMES = {"service": "a service", "material": "a material", "labour": "labour"}
# What a form field may not hold either (app/edge.py): control characters but tabs and line
# breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    line: int  # the file's line (the header is line 1)
    column: str  # "" when the row as a whole was refused
    message: str


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]  # the columns the file has, read into typed values
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Upload:
    file_name: str
    text: str


def decode(data: bytes) -> str:
    """An upload's text (UTF-8 or Windows-1252); raises imports.UnreadableFile when it is too
    large or not text."""
    if len(data) > MAX_BYTES:
        raise imports.UnreadableFile(
            f"The file is larger than 2 MB. Import at most {MAX_ROWS:,} rows at a time:"
            " split the file."
        )
    return imports.decode(data).text


def read(text: str) -> list[Row]:
    """Every row of the file, read and checked cell by cell; raises imports.UnreadableFile
    when the file itself cannot be imported (empty, no name column, too many rows)."""
    try:
        found = imports.records(text, imports.sniff_delimiter(text))
        header = next(found, None)
        records = list(found)
    except csv.Error as error:
        raise imports.UnreadableFile(f"This file is not valid CSV ({error}).") from error
    if header is None:
        raise imports.UnreadableFile("The file is empty.")
    positions = _positions(header.cells)
    if not records:
        raise imports.UnreadableFile("The file has a header row but no items under it.")
    if len(records) > MAX_ROWS:
        raise imports.UnreadableFile(
            f"The file has {len(records):,} rows: import at most {MAX_ROWS:,} at a time"
            " (split the file)."
        )
    return [_row(record.line, record.cells, positions) for record in records]


def _positions(header: list[str]) -> dict[str, int]:
    """Where each known column is: `Markup percent`, `MARKUP_PERCENT` and `markup-percent` are
    the same column."""
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        name = "_".join(from_cell(title).lower().replace("-", " ").split())
        if name in COLUMNS and name in positions:
            raise imports.UnreadableFile(f"The column “{name}” is in the header row twice.")
        if name in COLUMNS:
            positions[name] = index
    if "name" not in positions:
        raise imports.UnreadableFile(
            "The header row has no “name” column. Use the export's header: "
            + ", ".join(COLUMNS)
            + "."
        )
    return positions


def _row(line: int, cells: list[str], positions: dict[str, int]) -> Row:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, index in positions.items():
        cell = from_cell(cells[index]) if index < len(cells) else ""
        try:
            if _CONTROL.search(cell):
                raise ValueError("Remove the control character from this cell.")
            values[column] = READERS[column](cell)
        except ValueError as error:  # money.MoneyError too
            problems.append(Problem(line, column, str(error)))
    return Row(line, values, tuple(problems))


# Reading one cell ------------------------------------------------------------------------------


def _kind(text: str) -> str:
    if not text:
        raise ValueError("Enter the kind: service, material, labour or package.")
    if text.lower() not in KINDS:
        raise ValueError(f"Unknown kind “{text}”: use service, material, labour or package.")
    return text.lower()


def _text(limit: int, message: str, *, required: str = "") -> Callable[[str], str | None]:
    def read(text: str) -> str | None:
        if required and not text:
            raise ValueError(required)
        if len(text) > limit:
            raise ValueError(message)
        return text or None

    return read


def _description(text: str) -> str:
    if len(text) > 2000:
        raise ValueError("At most 2,000 characters.")
    return text


def _unit(text: str) -> str:
    if text and text.lower() not in UNITS:
        raise ValueError(f"Unknown unit “{text}”: use {', '.join(UNITS)}.")
    return text.lower() or "each"


def _amount(text: str) -> Decimal | None:
    return money.parse_amount(text) if text else None


def _percent(max_value: Decimal) -> Callable[[str], Decimal | None]:
    """A percentage to the hundredth, as the book's columns keep it."""

    def read(text: str) -> Decimal | None:
        if not text:
            return None
        value = money.parse_percent(text, max_value=max_value)
        if value != value.quantize(money.CENT):
            raise ValueError("Use at most 2 decimals.")
        return value.quantize(money.CENT)

    return read


def _discount(text: str) -> Decimal | None:
    value = _percent(Decimal("100"))(text)
    if value is not None and value <= 0:
        raise ValueError("Enter a member discount above 0%.")
    return value


def _yes_no(default: bool) -> Callable[[str], bool]:
    def read(text: str) -> bool:
        answer = text.lower()
        if answer in ("yes", "y", "true", "1"):
            return True
        if answer in ("no", "n", "false", "0"):
            return False
        if answer:
            raise ValueError(f"Write yes or no, not “{text}”.")
        return default

    return read


READERS: dict[str, Callable[[str], Any]] = {
    "kind": _kind,
    "code": _text(40, "A code has at most 40 characters."),
    "name": _text(200, "At most 200 characters.", required="Enter the item's name."),
    "description": _description,
    "category": _text(100, "A category's name has at most 100 characters."),
    "unit": _unit,
    "price": _amount,
    "cost": _amount,
    "markup_percent": _percent(Decimal("10000")),
    "member_price": _amount,
    "member_discount_percent": _discount,
    "taxable": _yes_no(True),
    "archived": _yes_no(False),
}


# The book's rules over a whole item ----------------------------------------------------------


def checked(line: int, values: dict[str, Any], *, price_given: bool) -> list[Problem]:
    """Check an item's values by the item form's rules (and the database's checks), working
    out a material's price from its cost and markup in `values`; a price given with them must
    be that price."""
    problems: list[Problem] = []
    markup, cost = values["markup_percent"], values["cost"]
    if markup is not None and values["kind"] != "material":
        problems.append(Problem(line, "markup_percent", "Only materials are priced by a markup."))
    elif markup is not None and cost is None:
        problems.append(Problem(line, "cost", "A markup needs the item's cost."))
    elif markup is not None:
        priced = money.apply_markup(cost, markup)
        if price_given and values["price"] != priced:
            message = f"The price must be the cost with its markup: {priced}."
            problems.append(Problem(line, "price", message))
        values["price"] = priced
    if values["price"] is None:
        problems.append(Problem(line, "price", "Enter the price."))
    if values["member_price"] is not None and values["member_discount_percent"] is not None:
        message = "Give members either their own price or a discount, not both."
        problems.append(Problem(line, "member_discount_percent", message))
    return problems


def kind_kept(line: int, name: str, kind: str) -> Problem:
    """The refusal of a row that would change an item's kind (its parts and documents' lines
    were made for it)."""
    described = KIND_NAMES.get(kind, f"a {kind}")
    return Problem(line, "kind", f"An item's kind cannot change: “{name}” is {described}.")


# The file between preview and confirmation ---------------------------------------------------


class NotSigned(Exception):
    """A confirmation whose file was changed, made for another company, or too old."""


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="pricebook.import")


def sign(text: str, file_name: str, tenant_id: UUID, secret_key: str | bytes) -> str:
    """The file as the preview page carries it: compressed and signed for this company."""
    payload = {"tenant": str(tenant_id), "name": file_name, "text": text}
    return _serializer(secret_key).dumps(payload)


def unsign(token: str, tenant_id: UUID, secret_key: str | bytes) -> Upload:
    """The file a preview signed for this company within the hour, or NotSigned."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=SIGNED_FOR_SECONDS)
    except BadData as error:  # a bad signature, an expired one, or a payload not ours
        raise NotSigned from error
    if not isinstance(payload, dict) or payload.get("tenant") != str(tenant_id):
        raise NotSigned
    return Upload(str(payload.get("name", "")), str(payload.get("text", "")))
