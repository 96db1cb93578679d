"""Cells as old systems write them, for the imports beyond customers: dates in any common
format, amounts (`$1,234.50`, `(45.00)`), numbers with units, equipment kinds in the trade's
words; and an item's values while it is planned (merged rows, compared with the record).

A value that cannot be read is not a reason to leave a row out: the value is left out of the
record and a flag says why (`Flag(kind="left_out")`)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from app.imports.plan import Flag, Item
from app.imports.values import placeholder


def is_blank(text: str) -> bool:
    return not text.strip() or placeholder(text)


# --- dates ---------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_EXCEL_EPOCH = date(1899, 12, 30)
# A month and year (05/2019) or a year alone (2019), as equipment lists often give installs.
_PARTIAL = re.compile(r"(?:(\d{1,2})/)?(\d{4})")


class BadValue(ValueError):
    """A cell that cannot be read; the message says why, for the flag."""


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 70 else 1900
    return year


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(f"{text!r} is not a date.") from None


def parse_date(text: str) -> date | None:
    """2019-05-03, 5/3/2019, 05/03/19 (month first, as in the US, unless the first number
    cannot be a month), May 3 2019, 3 May 2019, an Excel serial number (43588), a timestamp
    (2019-05-03 00:00:00), 05/2019 and 2019 (their first day); "n/a" and blanks are None;
    anything else raises BadValue."""
    cleaned = text.strip()
    if is_blank(cleaned):
        return None
    lowered = cleaned.lower().replace(",", " ").replace(".", " ")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t][\d:.]+z?)?", lowered):
        return _make(int(m[1]), int(m[2]), int(m[3]), cleaned)
    if m := re.fullmatch(
        r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?: [\d:]+(?: [ap]m)?)?", lowered
    ):
        month, day = int(m[1]), int(m[2])
        if month > 12 >= day:  # 25/12/2019: day first, as in Canada and Europe
            month, day = day, month
        return _make(_year(m[3]), month, day, cleaned)
    if m := re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", lowered):
        return _make(int(m[1]), int(m[2]), int(m[3]), cleaned)
    month_first = re.fullmatch(r"([a-z]+) +(\d{1,2})(?:st|nd|rd|th)? +(\d{4})", lowered)
    if (m := month_first) and m[1] in _MONTHS:
        return _make(int(m[3]), _MONTHS[m[1]], int(m[2]), cleaned)
    if (m := re.fullmatch(r"(\d{1,2}) +([a-z]+) +(\d{4})", lowered)) and m[2] in _MONTHS:
        return _make(int(m[3]), _MONTHS[m[2]], int(m[1]), cleaned)
    if (m := re.fullmatch(r"(\d{1,2})-([a-z]{3})-(\d{2}|\d{4})", lowered)) and m[2] in _MONTHS:
        return _make(_year(m[3]), _MONTHS[m[2]], int(m[1]), cleaned)
    if m := re.fullmatch(r"(\d{5})(?:\.0+)?", lowered):
        serial = int(m[1])
        if 20_000 <= serial <= 80_000:  # 1954 to 2119
            return _EXCEL_EPOCH + timedelta(days=serial)
    if (m := _PARTIAL.fullmatch(lowered)) and 1900 <= int(m[2]) <= 2100:
        return _make(int(m[2]), int(m[1] or 1), 1, cleaned)
    raise BadValue(f"{cleaned!r} is not a date we can read (write it as 2019-05-03).")


def date_cell(row: dict[str, str], target: str, label: str, flags: list[Flag]) -> date | None:
    """The row's date for `target`, or None with a flag when it cannot be read; a month or a
    year alone is its first day, flagged."""
    try:
        day = parse_date(row.get(target, ""))
    except BadValue as bad:
        flags.append(Flag(target, row[target], f"{label} left out: {bad}", "left_out"))
        return None
    if day is not None and _PARTIAL.fullmatch(row[target].strip().lower()):
        note = f"{label}: only the {'month' if '/' in row[target] else 'year'}, saved as {day}."
        flags.append(Flag(target, row[target], note, "repaired"))
    return day


# --- numbers -------------------------------------------------------------------------------


def number_cell(
    row: dict[str, str], target: str, label: str, low: int, high: int, flags: list[Flag]
) -> Decimal | None:
    """`16`, `16.0 SEER2`, `95%` → a number within low..high (one decimal), else None with a
    flag."""
    text = row.get(target, "")
    if is_blank(text):
        return None
    m = re.fullmatch(r"[^\d.]*(\d+(?:\.\d+)?)\s*%?[^\d]*", text.strip())
    try:
        number = Decimal(m[1]).quantize(Decimal("0.1")) if m else None
    except InvalidOperation:
        number = None
    if number is None:
        note = f"{label} left out: {text!r} is not a number."
    elif not low <= number <= high:
        note = f"{label} left out: {number} is not between {low} and {high}."
    else:
        return number
    flags.append(Flag(target, text, note, "left_out"))
    return None


# --- amounts -------------------------------------------------------------------------------

LARGEST = Decimal("9999999999.99")
_MONEY = re.compile(r"^(-)?\$?(-)?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(\.[0-9]*)?$")


def money(text: str) -> Decimal | None:
    """`$1,234.50` → 1234.50, `(45.00)` and `-$45` → -45.00; blank → None; anything else
    raises BadValue."""
    cell = text.strip().replace(" ", "")
    for word in ("USD", "US$"):
        cell = cell.removeprefix(word).removesuffix(word)
    if not cell or cell in ("-", "$-"):
        return None
    negative = cell.startswith("(") and cell.endswith(")")
    if negative:
        cell = cell[1:-1]
    found = _MONEY.match(cell)
    if found is None or not (found[3] or (found[4] or "").strip(".")):
        raise BadValue(f"{text.strip()!r} is not an amount (like $1,234.50).")
    try:
        amount = Decimal(found[3].replace(",", "") + (found[4] or "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise BadValue(f"{text.strip()!r} is not an amount (like $1,234.50).") from None
    if amount > LARGEST:
        raise BadValue(f"{text.strip()!r} is too large an amount.")
    return -amount if negative or found[1] or found[2] else amount


# --- equipment kinds -----------------------------------------------------------------------

_KIND_WORDS = {
    "air_conditioner": (
        "ac",
        "a c",
        "air conditioner",
        "air conditioning",
        "condenser",
        "condensing unit",
        "central air",
        "cooling",
        "outdoor unit",
    ),
    "furnace": ("furnace", "gas furnace", "oil furnace", "electric furnace", "heater"),
    "heat_pump": ("hp", "heat pump", "heatpump", "air source heat pump"),
    "boiler": ("boiler", "hydronic boiler"),
    "mini_split": ("ductless", "mini split", "minisplit", "ductless mini split", "ductless split"),
    "water_heater": ("water heater", "hot water heater", "tankless", "tankless water heater"),
    "thermostat": ("tstat", "t stat", "thermostat", "smart thermostat"),
    "air_handler": ("ahu", "air handler", "air handling unit", "fan coil", "indoor unit"),
    "humidifier": ("humidifier", "whole house humidifier"),
    "air_purifier": ("air purifier", "air cleaner", "uv light", "air scrubber"),
    "other": ("other",),
}
_KINDS = {word: kind for kind, words in _KIND_WORDS.items() for word in words}


def equipment_kind(text: str) -> str | None:
    """`A/C`, `Condenser` → air_conditioner; `Gas furnace` → furnace; `HP` → heat_pump; None
    when the words name no kind we know."""
    key = " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())
    if key in _KINDS:
        return _KINDS[key]
    compact = key.replace(" ", "")
    found = {kind for word, kind in _KINDS.items() if word.replace(" ", "") == compact}
    return found.pop() if len(found) == 1 else None


# --- items -------------------------------------------------------------------------------
# While planning, an item keeps the row's values under data["values"] (Python values, blank
# ones absent); `finished` turns them into the JSON the preview stores.


def as_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def merge_row(item: Item, found: dict[str, Any], line: int, flags: list[Flag], what: str) -> None:
    """A later row for the same record fills what the first left blank; a different value is
    flagged and the first row's kept."""
    first = item.data["values"]
    for name, value in found.items():
        if name not in first:
            first[name] = value
        elif first[name] != value:
            note = f"Line {line} says {as_json(value)!r}: line {item.lines[0]} kept."
            item.flags.append(Flag(name, str(as_json(value)), note, "merged"))
    note = f"Line {line} is the same {what}: merged into this one."
    item.flags.extend([*flags, Flag("line", str(line), note, "merged")])
    item.lines.append(line)


def compare(item: Item, existing: dict[str, Any], fields: tuple[str, ...]) -> None:
    """An update of the values the file gives that differ from the record's, or unchanged."""
    found = item.data["values"]
    changed = [name for name in fields if name in found and found[name] != existing[name]]
    item.target_id = existing["id"]
    item.action = "update" if changed else "unchanged"
    item.data["changed"] = changed


def finished(item: Item) -> Item:
    """The item as the preview stores it: ids and values as JSON."""
    found = item.data.pop("values")
    item.data = {
        name: str(value) if isinstance(value, UUID) else value for name, value in item.data.items()
    } | {name: as_json(value) for name, value in found.items()}
    return item
