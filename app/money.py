"""Money, one way everywhere: `numeric(12,2)` in the database, `Decimal` in Python (never
float), one rounding rule, shown in the company's currency.

The rule: every amount a line shows (its extended price, its discount, each tax on it) is
rounded to the cent when it is computed, half-up (a half cent goes away from zero: 0.005 is
0.01, -0.005 is -0.01). A document's totals are sums of those rounded line amounts, never
rounded again, so a document's total always equals the sum of what its lines show.

Prices, percentages and quantities people type come through `parse_amount`, `parse_percent`
and `parse_quantity`, which refuse with a `MoneyError` a form can show next to the field.
Templates show amounts with `{{ amount|money }}` (the company's currency) or
`{{ amount|money("EUR") }}`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, has_request_context
from flask_login import current_user

from app import company

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")  # what numeric(12,2) holds
MAX_QUANTITY = Decimal("100000")


class MoneyError(ValueError):
    """An amount, percentage or quantity refused; the message is for the person who typed it."""


def to_cents(value: Decimal) -> Decimal:
    """The rounding rule: to the cent, half-up (ties away from zero)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# Parsing what people type --------------------------------------------------------------------

_NUMBER = re.compile(r"(?P<whole>[0-9][0-9,]*)?(?:\.(?P<fraction>[0-9]*))?")
# Commas only between groups of three, after a first group that does not start with 0: "1,23"
# and "0,50" are someone's decimal comma, not thousands.
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_COMMAS = "Put commas only between groups of three digits, like 1,234.50."


def _decimal(body: str, *, places: int, not_a_number: str, too_precise: str) -> Decimal:
    """A plain decimal number (an optional leading minus, digits, thousands commas, a point),
    exact; ASCII digits only, so no NaN, Infinity, exponents or other scripts' digits."""
    negative = body.startswith("-")
    body = body[1:] if negative else body
    match = _NUMBER.fullmatch(body)
    if not match or not (match["whole"] or match["fraction"]):
        raise MoneyError(not_a_number)
    whole, fraction = match["whole"] or "0", match["fraction"] or ""
    if "," in whole and not _GROUPED.fullmatch(whole):
        raise MoneyError(_COMMAS)
    if len(fraction) > places:
        raise MoneyError(too_precise)
    value = Decimal(f"{whole.replace(',', '')}.{fraction or '0'}")
    return -value if negative and value else value  # "-0" is zero, not negative zero


# Longest first, so "CA$" is not read as "C" followed by "A$".
_INPUT_SYMBOLS = ("US$", "CA$", "NZ$", "MX$", "A$", "$", "€", "£", "¥")


def parse_amount(
    text: str, *, allow_negative: bool = False, max_value: Decimal = MAX_AMOUNT
) -> Decimal:
    """A price as typed: `12`, `12.5`, `1,234.50`, `$1,234.50`, `€12` (a leading currency
    symbol is allowed, whichever currency it names), to 2 places."""
    body = text.strip()
    if not body:
        raise MoneyError("Enter an amount.")
    sign = ""
    if body.startswith("-"):
        sign, body = "-", body[1:].lstrip()
    for symbol in _INPUT_SYMBOLS:
        if body.upper().startswith(symbol):
            body = body[len(symbol) :].lstrip()
            break
    value = _decimal(
        sign + body,
        places=2,
        not_a_number="Enter an amount as a number, like 1,234.50.",
        too_precise="Use at most 2 decimals (cents).",
    )
    if value < 0 and not allow_negative:
        raise MoneyError("Enter an amount of zero or more.")
    if value > max_value:
        raise MoneyError(f"Enter an amount of at most {max_value:,.2f}.")
    if value < -max_value:
        raise MoneyError(f"Enter an amount of at least -{max_value:,.2f}.")
    return value.quantize(CENT)


def parse_percent(text: str, *, max_value: Decimal = Decimal("100")) -> Decimal:
    """A percentage as typed: `10`, `7.25`, `8.875%`; up to 4 decimals (tax rates), from 0 to
    `max_value`, to 4 places."""
    body = text.strip()
    body = body[:-1].rstrip() if body.endswith("%") else body
    if not body:
        raise MoneyError("Enter a percentage.")
    value = _decimal(
        body,
        places=4,
        not_a_number="Enter a percentage as a number, like 7.25.",
        too_precise="Use at most 4 decimals.",
    )
    if value < 0:
        raise MoneyError("Enter a percentage of zero or more.")
    if value > max_value:
        raise MoneyError(f"Enter a percentage of at most {max_value.normalize():f}%.")
    return value.quantize(Decimal("0.0001"))


def parse_quantity(text: str) -> Decimal:
    """A quantity as typed: more than zero, at most 100,000, up to 2 decimals (1.5 hours)."""
    body = text.strip()
    if not body:
        raise MoneyError("Enter a quantity.")
    value = _decimal(
        body,
        places=2,
        not_a_number="Enter a quantity as a number, like 2 or 1.5.",
        too_precise="Use at most 2 decimals.",
    )
    if value <= 0:
        raise MoneyError("Enter a quantity greater than zero.")
    if value > MAX_QUANTITY:
        raise MoneyError(f"Enter a quantity of at most {MAX_QUANTITY:,}.")
    return value.quantize(CENT)


# Prices -------------------------------------------------------------------------------------


def apply_markup(cost: Decimal, markup_percent: Decimal) -> Decimal:
    """A material's price from its cost and markup: cost x (100 + markup) / 100, to the cent.

    The database checks the same price as `round(cost * (100 + markup_percent) / 100, 2)`;
    Postgres rounds numeric half away from zero, which is ROUND_HALF_UP here, so both agree
    (for negative values too, though costs are never negative)."""
    return to_cents(cost * (100 + markup_percent) / 100)


def member_price(
    price: Decimal, *, member_price: Decimal | None, member_discount_percent: Decimal | None
) -> Decimal:
    """The price for a customer with an active service agreement: the item's member price
    when it has one, else its price less the member discount (to the cent), else its price."""
    if member_price is not None:
        return member_price
    if member_discount_percent is not None:
        return price - to_cents(price * member_discount_percent / 100)
    return price


# Lines and documents ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxRate:
    name: str  # "State", "City": shown on the document beside its amount
    percent: Decimal


@dataclass(frozen=True)
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal("0")
    taxable: bool = True


@dataclass(frozen=True)
class LineAmounts:
    """What a line shows, each amount already rounded to the cent."""

    extended: Decimal  # quantity x unit price
    discount: Decimal  # of extended
    net: Decimal  # extended - discount
    taxes: tuple[Decimal, ...]  # one per rate, of net; zero when the line is not taxable
    total: Decimal  # net + taxes


@dataclass(frozen=True)
class Totals:
    """A document's totals: sums of its lines' rounded amounts, so each equals what the lines
    add up to."""

    subtotal: Decimal  # the lines' extended prices
    discount: Decimal
    net: Decimal
    taxes: tuple[tuple[TaxRate, Decimal], ...]  # each rate with its sum over the lines
    tax: Decimal
    total: Decimal  # net + tax
    lines: tuple[LineAmounts, ...]  # each line's amounts, in order, as the document shows them


def line_amounts(line: Line, rates: Sequence[TaxRate]) -> LineAmounts:
    """One line's amounts by the rule: each rounded to the cent as it is computed."""
    extended = to_cents(line.quantity * line.unit_price)
    discount = to_cents(extended * line.discount_percent / 100)
    net = extended - discount
    taxes = tuple(to_cents(net * rate.percent / 100) if line.taxable else ZERO for rate in rates)
    return LineAmounts(extended, discount, net, taxes, net + sum(taxes, ZERO))


def totals(lines: Sequence[Line], rates: Sequence[TaxRate]) -> Totals:
    """A document's totals from its lines (all zero for none)."""
    amounts = tuple(line_amounts(line, rates) for line in lines)
    by_rate = tuple(
        (rate, sum((a.taxes[i] for a in amounts), ZERO)) for i, rate in enumerate(rates)
    )
    net = sum((a.net for a in amounts), ZERO)
    tax = sum((amount for _, amount in by_rate), ZERO)
    return Totals(
        subtotal=sum((a.extended for a in amounts), ZERO),
        discount=sum((a.discount for a in amounts), ZERO),
        net=net,
        taxes=by_rate,
        tax=tax,
        total=net + tax,
        lines=amounts,
    )


# Stripe's minor units -----------------------------------------------------------------------

# Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal): amounts
# are whole units (¥500 is 500).
ZERO_DECIMAL = frozenset(
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
        "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    }
)  # fmt: skip
# Stripe's three-decimal currencies: 5.12 KWD is 5120.
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# ISK stays two-decimal in Stripe's API, but only whole krónur are accepted (amounts in 100s).
WHOLE_UNITS_ONLY = ZERO_DECIMAL | {"ISK"}


def _exponent(currency: str) -> int:
    code = currency.upper()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """The amount as Stripe's API takes it: cents for USD (12.50 → 1250), yen for JPY."""
    code = currency.upper()
    if code in WHOLE_UNITS_ONLY and amount != amount.to_integral_value():
        raise MoneyError(f"{code} amounts are whole: {amount} cannot be charged.")
    units = amount.scaleb(_exponent(code))
    if units != units.to_integral_value():
        raise MoneyError(f"{amount} {code} is not a whole number of cents.")
    return int(units)


def from_minor_units(units: int, currency: str) -> Decimal:
    """An amount from Stripe's minor units (1250 cents → 12.50; 1235 yen → 1235.00)."""
    amount = Decimal(units).scaleb(-_exponent(currency))
    if amount != amount.quantize(CENT):
        raise MoneyError(f"{units} minor units of {currency.upper()} is not a whole cent.")
    return amount.quantize(CENT)


# Showing amounts ----------------------------------------------------------------------------

# The currencies a company can choose on its settings page, by ISO 4217 code, with their
# names; each has its symbol below.
CURRENCIES: dict[str, str] = {
    "USD": "US dollar",
    "CAD": "Canadian dollar",
    "EUR": "Euro",
    "GBP": "Pound sterling",
    "AUD": "Australian dollar",
    "NZD": "New Zealand dollar",
    "MXN": "Mexican peso",
}

SYMBOLS = {
    "USD": "$",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "MXN": "MX$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
}


def format_money(amount: Decimal | None, currency: str = "USD") -> str:
    """`$1,234.50`, `-$12.00`, `€1,234.50`, `CA$5.00`, `¥1,235` (no decimals for a
    zero-decimal currency), `1,234.50 CHF` for a currency without a symbol here."""
    if amount is None:
        return ""
    if isinstance(amount, float):
        raise TypeError("money is a Decimal, never a float")
    code = currency.upper()
    places = 0 if code in ZERO_DECIMAL else 2
    shown = Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if shown < 0 else ""  # a -0.00 shows as 0.00
    number = f"{abs(shown):,.{places}f}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code}"


def company_currency() -> str:
    """The signed-in member's company's currency (USD outside a request or a company)."""
    if not has_request_context() or getattr(current_user, "tenant_id", None) is None:
        return company.FALLBACK_CURRENCY
    return company.currency()


def money_filter(amount: Decimal | None, currency: str | None = None) -> str:
    """`{{ amount|money }}` in the company's currency, `{{ amount|money("EUR") }}` in another."""
    return format_money(amount, currency or company_currency())


def format_number(value: Decimal | None) -> str:
    """A quantity or a rate without the zeros its column pads it with: `12.5`, `1`, `8.875`."""
    if value is None:
        return ""
    text = f"{Decimal(value):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_percent(value: Decimal | None) -> str:
    """`7.25%`, `10%`, `8.875%`."""
    return "" if value is None else f"{format_number(value)}%"


def init_app(app: Flask) -> None:
    """Register the `money`, `quantity` and `percent` filters on the app's templates."""
    app.jinja_env.filters["money"] = money_filter
    app.jinja_env.filters["quantity"] = format_number
    app.jinja_env.filters["percent"] = format_percent
