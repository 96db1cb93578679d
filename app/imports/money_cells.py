"""Amounts and dates as old systems and spreadsheets write them in the US: `$1,234.50`,
`(45.00)` for a negative amount, `11/30/2026`, `2026-11-30`, `Nov 30, 2026`."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

LARGEST = Decimal("9999999999.99")
_MONEY = re.compile(r"^(-)?\$?(-)?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(\.[0-9]*)?$")


class BadCell(ValueError):
    """A cell that cannot be read; the message says what it should look like."""


def money(text: str) -> Decimal | None:
    """`$1,234.50` → 1234.50, `(45.00)` and `-$45` → -45.00; blank → None."""
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
        raise BadCell(f"{text.strip()!r} is not an amount (like $1,234.50).")
    try:
        amount = Decimal(found[3].replace(",", "") + (found[4] or "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise BadCell(f"{text.strip()!r} is not an amount (like $1,234.50).") from None
    if amount > LARGEST:
        raise BadCell(f"{text.strip()!r} is too large an amount.")
    return -amount if negative or found[1] or found[2] else amount


_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%m-%d-%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%Y/%m/%d",
)


def day(text: str) -> date | None:
    """A US date as written by QuickBooks, Housecall Pro, Jobber, ServiceTitan or a spreadsheet
    (a time after it ignored); blank → None. To merge with app/imports/cells.py's dates."""
    cell = " ".join(text.strip().split())
    if not cell:
        return None
    cell = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?( ?[AaPp][Mm])?$", "", cell)
    cell = cell.replace(".", "")
    for form in _FORMATS:
        try:
            found = datetime.strptime(cell, form).date()
        except ValueError:
            continue
        if 1900 <= found.year <= 2100:
            return found
    raise BadCell(f"{text.strip()!r} is not a date (like 11/30/2026 or 2026-11-30).")
