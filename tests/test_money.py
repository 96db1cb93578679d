"""The money core (app/money.py): one rounding rule (per line, half-up to the cent), documents
whose totals are the sums of what their lines show, typed amounts parsed exactly, Stripe's minor
units, and amounts shown in the company's currency. Every example is worked by hand in its
comments; every Decimal is made from a string, never a float."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from app.db import Connection
from app.money import (
    CURRENCIES,
    SYMBOLS,
    Line,
    LineAmounts,
    MoneyError,
    TaxRate,
    apply_markup,
    format_money,
    format_number,
    format_percent,
    from_minor_units,
    line_amounts,
    member_price,
    parse_amount,
    parse_percent,
    parse_quantity,
    to_cents,
    to_minor_units,
    totals,
)
from tests.conftest import Client
from tests.factories import Factory

D = Decimal
STATE = TaxRate("State", D("6.25"))
CITY = TaxRate("City", D("2.25"))
TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"


def test_half_a_cent_rounds_up_away_from_zero():
    assert to_cents(D("0.005")) == D("0.01")  # half-even (banker's) rounding would give 0.00
    assert to_cents(D("0.015")) == D("0.02")
    assert to_cents(D("0.025")) == D("0.03")  # half-even would give 0.02
    assert to_cents(D("2.675")) == D("2.68")
    assert to_cents(D("1.0049")) == D("1.00")  # less than half a cent: down
    assert to_cents(D("-0.005")) == D("-0.01")  # a negative half cent goes away from zero too
    assert str(to_cents(D("3"))) == "3.00"
    # Why never a float: the float 2.675 is really 2.674999999999999822364316..., so rounding
    # it gives 2.67, a cent short.
    assert round(2.675, 2) == 2.67
    assert to_cents(D(2.675)) == D("2.67")


def test_a_line_with_a_discount_and_two_taxes():
    # 3 x 19.99                      = 59.97   extended
    # 10% of 59.97 = 5.997           →  6.00   discount
    # 59.97 - 6.00                   = 53.97   net
    # 6.25% of 53.97 = 3.373125      →  3.37   state tax
    # 2.25% of 53.97 = 1.214325      →  1.21   city tax
    # 53.97 + 3.37 + 1.21            = 58.55   total
    line = Line(quantity=D("3"), unit_price=D("19.99"), discount_percent=D("10"))
    assert line_amounts(line, [STATE, CITY]) == LineAmounts(
        extended=D("59.97"),
        discount=D("6.00"),
        net=D("53.97"),
        taxes=(D("3.37"), D("1.21")),
        total=D("58.55"),
    )


def test_the_total_is_the_sum_of_the_rounded_lines_not_the_rounded_sum():
    # Three filters at 4.10, each on its own line, 6.25% state tax:
    #   each line: 6.25% of 4.10 = 0.25625 → 0.26 tax, 4.36 total
    #   document: 3 x 0.26 = 0.78 tax, 12.30 + 0.78 = 13.08 total (= 3 x 4.36)
    # Rounding the document's tax instead: 6.25% of 12.30 = 0.76875 → 0.77, total 13.07, a
    # cent less than the lines add up to. A total-level rule fails the asserts below.
    filter_line = Line(quantity=D("1"), unit_price=D("4.10"))
    doc = totals([filter_line] * 3, [STATE])
    assert [line.total for line in doc.lines] == [D("4.36")] * 3
    assert doc.tax == D("0.78")
    assert doc.total == D("13.08") == sum(line.total for line in doc.lines)
    assert to_cents(doc.net * STATE.percent / 100) == D("0.77")  # the rule not followed


def test_a_document_of_taxable_and_untaxed_lines():
    # service call  1   x 89.00, not taxed             = 89.00  net, 0.00 + 0.00 tax, 89.00
    # capacitor     2   x 18.75 = 37.50, less 10% 3.75 = 33.75  net
    #               state 6.25% of 33.75 = 2.109375 → 2.11; city 2.25% = 0.759375 → 0.76;
    #               33.75 + 2.11 + 0.76                                               = 36.62
    # labor         1.5 x 95.00, not taxed            = 142.50 net, no tax,          142.50
    # subtotal 89.00 + 37.50 + 142.50 = 269.00; discount 3.75; net 265.25
    # state 2.11, city 0.76, tax 2.87; total 265.25 + 2.87 = 268.12 = 89.00 + 36.62 + 142.50
    lines = [
        Line(D("1"), D("89.00"), taxable=False),
        Line(D("2"), D("18.75"), discount_percent=D("10")),
        Line(D("1.5"), D("95.00"), taxable=False),
    ]
    doc = totals(lines, [STATE, CITY])
    assert doc.lines[0].taxes == (D("0.00"), D("0.00"))
    assert doc.lines[1] == LineAmounts(
        D("37.50"), D("3.75"), D("33.75"), (D("2.11"), D("0.76")), D("36.62")
    )
    assert (doc.subtotal, doc.discount, doc.net) == (D("269.00"), D("3.75"), D("265.25"))
    assert doc.taxes == ((STATE, D("2.11")), (CITY, D("0.76")))
    assert (doc.tax, doc.total) == (D("2.87"), D("268.12"))
    assert doc.total == doc.net + doc.tax == sum(line.total for line in doc.lines)


def test_a_document_without_lines_or_rates_is_all_zero():
    empty = totals([], [STATE])
    assert (empty.subtotal, empty.discount, empty.net, empty.tax, empty.total) == (D("0.00"),) * 5
    assert empty.taxes == ((STATE, D("0.00")),)
    untaxed = totals([Line(D("2"), D("1.25"))], [])
    assert (untaxed.taxes, untaxed.tax, untaxed.total) == ((), D("0.00"), D("2.50"))
    assert str(untaxed.tax) == "0.00"


def test_member_price_then_member_discount_then_price():
    price = D("149.00")
    # A separate member price wins, whatever the discount.
    assert member_price(price, member_price=D("129.00"), member_discount_percent=D("15")) == D(
        "129.00"
    )
    # 15% of 149.00 = 22.35; 149.00 - 22.35 = 126.65
    assert member_price(price, member_price=None, member_discount_percent=D("15")) == D("126.65")
    assert member_price(price, member_price=None, member_discount_percent=None) == price
    # The discount is rounded as a line's is: 10% of 10.05 = 1.005 → 1.01; 10.05 - 1.01 = 9.04,
    # so the price and the discount shown beside it add up.
    assert member_price(D("10.05"), member_price=None, member_discount_percent=D("10")) == D("9.04")


def test_markup_prices_a_material_from_its_cost():
    # 12.40 x (100 + 35) / 100 = 12.40 x 1.35 = 16.74
    assert apply_markup(D("12.40"), D("35")) == D("16.74")
    # 2.50 x 1.07 = 2.675 → 2.68 (2.50 * 1.07 in floats rounds to 2.67)
    assert apply_markup(D("2.50"), D("7")) == D("2.68")
    # 8.00 x 1.125 = 9.00 exactly
    assert apply_markup(D("8.00"), D("12.5")) == D("9.00")


def test_the_database_rounds_as_the_rule_does(admin: Connection):
    """Postgres checks materials' prices with round(numeric, 2): the same answers."""
    for value in ("0.005", "0.015", "2.675", "1.0049", "-0.005", "-2.675"):
        assert admin.execute("select round(%s::numeric, 2) as r", [value]).fetchone() == {
            "r": to_cents(D(value))
        }
    for cost, markup in (("12.40", "35"), ("2.50", "7"), ("0.01", "50"), ("19.99", "8.875")):
        row = admin.execute(
            "select round(%s::numeric * (100 + %s::numeric) / 100, 2) as price", [cost, markup]
        ).fetchone()
        assert row == {"price": apply_markup(D(cost), D(markup))}


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("1,234.50", "1234.50"),
        ("$1,234.50", "1234.50"),
        (" 12.50 ", "12.50"),
        ("€12", "12.00"),
        ("CA$ 3", "3.00"),
        (".99", "0.99"),
        ("0", "0.00"),
        ("9,999,999,999.99", "9999999999.99"),
    ],
)
def test_amounts_as_people_type_them(text: str, amount: str):
    parsed = parse_amount(text)
    assert parsed == D(amount) and str(parsed) == amount


def test_negative_amounts_only_when_allowed():
    assert parse_amount("-12.50", allow_negative=True) == D("-12.50")
    assert parse_amount("-$12.50", allow_negative=True) == D("-12.50")
    assert parse_amount("$-12.50", allow_negative=True) == D("-12.50")
    assert str(parse_amount("-0")) == "0.00"  # zero, not a negative zero
    with pytest.raises(MoneyError, match=r"^Enter an amount of zero or more\.$"):
        parse_amount("-12.50")
    with pytest.raises(MoneyError, match=r"^Enter an amount of at least -100\.00\.$"):
        parse_amount("-100.01", allow_negative=True, max_value=D("100"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount."),
        ("   ", "Enter an amount."),
        ("twelve", "Enter an amount as a number, like 1,234.50."),
        ("12abc", "Enter an amount as a number, like 1,234.50."),
        ("$", "Enter an amount as a number, like 1,234.50."),
        ("NaN", "Enter an amount as a number, like 1,234.50."),
        ("Infinity", "Enter an amount as a number, like 1,234.50."),
        ("-inf", "Enter an amount as a number, like 1,234.50."),
        ("1e3", "Enter an amount as a number, like 1,234.50."),
        ("1.2.3", "Enter an amount as a number, like 1,234.50."),
        ("1 234", "Enter an amount as a number, like 1,234.50."),
        ("\N{ARABIC-INDIC DIGIT ONE}2", "Enter an amount as a number, like 1,234.50."),
        ("12.345", "Use at most 2 decimals (cents)."),
        ("0.001", "Use at most 2 decimals (cents)."),
        ("1,23", "Put commas only between groups of three digits, like 1,234.50."),
        ("0,50", "Put commas only between groups of three digits, like 1,234.50."),
        ("12,3456", "Put commas only between groups of three digits, like 1,234.50."),
        ("1,,234", "Put commas only between groups of three digits, like 1,234.50."),
        ("-5", "Enter an amount of zero or more."),
        ("10000000000", "Enter an amount of at most 9,999,999,999.99."),
        ("1" * 40, "Enter an amount of at most 9,999,999,999.99."),
    ],
)  # fmt: skip
def test_amounts_refused_say_why(text: str, message: str):
    with pytest.raises(MoneyError) as refused:
        parse_amount(text)
    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)


def test_an_amount_above_the_callers_limit_is_refused():
    assert parse_amount("500", max_value=D("500")) == D("500.00")
    with pytest.raises(MoneyError, match=r"^Enter an amount of at most 500\.00\.$"):
        parse_amount("500.01", max_value=D("500"))


def test_percentages():
    assert parse_percent("10") == D("10")
    assert parse_percent("7.25%") == D("7.25")
    assert parse_percent(" 8.875 % ") == D("8.875")
    assert str(parse_percent("8.875")) == "8.8750"  # to 4 places, as a tax rate is stored
    assert parse_percent("0") == D("0") and parse_percent("100") == D("100")
    assert parse_percent("250", max_value=D("1000")) == D("250")
    refusals = {
        "": "Enter a percentage.",
        "%": "Enter a percentage.",
        "ten": "Enter a percentage as a number, like 7.25.",
        "NaN": "Enter a percentage as a number, like 7.25.",
        "8.87501": "Use at most 4 decimals.",
        "-1": "Enter a percentage of zero or more.",
        "100.01": "Enter a percentage of at most 100%.",
    }
    for text, message in refusals.items():
        with pytest.raises(MoneyError) as refused:
            parse_percent(text)
        assert str(refused.value) == message, text


def test_quantities():
    assert parse_quantity("3") == D("3")
    assert parse_quantity("1.5") == D("1.5")
    assert parse_quantity("100,000") == D("100000")
    refusals = {
        "": "Enter a quantity.",
        "two": "Enter a quantity as a number, like 2 or 1.5.",
        "1.255": "Use at most 2 decimals.",
        "0": "Enter a quantity greater than zero.",
        "-1": "Enter a quantity greater than zero.",
        "100000.01": "Enter a quantity of at most 100,000.",
    }
    for text, message in refusals.items():
        with pytest.raises(MoneyError) as refused:
            parse_quantity(text)
        assert str(refused.value) == message, text


def test_stripe_minor_units():
    # Dollars go to Stripe in cents; yen are already whole units.
    assert to_minor_units(D("12.50"), "USD") == 1250
    assert to_minor_units(D("0.01"), "usd") == 1  # Stripe writes codes in lower case
    assert from_minor_units(1250, "usd") == D("12.50")
    assert to_minor_units(D("1235"), "JPY") == 1235
    assert to_minor_units(D("1235.00"), "JPY") == 1235
    assert from_minor_units(1235, "jpy") == D("1235.00")
    assert to_minor_units(D("5.12"), "KWD") == 5120  # a three-decimal currency: fils
    with pytest.raises(MoneyError, match=r"^JPY amounts are whole: 1234\.50 cannot be charged\.$"):
        to_minor_units(D("1234.50"), "JPY")
    with pytest.raises(MoneyError, match=r"not a whole number of cents"):
        to_minor_units(D("12.345"), "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234.5", "USD", "$1,234.50"),
        ("-12", "USD", "-$12.00"),
        ("0", "USD", "$0.00"),
        ("-0.00", "USD", "$0.00"),
        ("1234567.891", "USD", "$1,234,567.89"),
        ("1234.50", "EUR", "€1,234.50"),
        ("-1234.50", "EUR", "-€1,234.50"),
        ("1234.50", "GBP", "£1,234.50"),
        ("1234.50", "CAD", "CA$1,234.50"),
        ("1234.50", "AUD", "A$1,234.50"),
        ("1234.50", "NZD", "NZ$1,234.50"),
        ("1234.50", "MXN", "MX$1,234.50"),
        ("1234.50", "JPY", "¥1,235"),  # no decimals; half a yen rounds up
        ("-1234.50", "JPY", "-¥1,235"),
        ("1234.50", "CHF", "1,234.50 CHF"),
        ("-1234.50", "CHF", "-1,234.50 CHF"),
        ("1234.50", "eur", "€1,234.50"),
    ],
)
def test_amounts_are_shown_in_their_currency(amount: str, currency: str, shown: str):
    assert format_money(D(amount), currency) == shown


def test_every_currency_a_company_may_choose_is_shown_with_its_symbol():
    assert list(CURRENCIES) == ["USD", "CAD", "EUR", "GBP", "AUD", "NZD", "MXN"]
    for code in CURRENCIES:
        assert format_money(D("5"), code) == f"{SYMBOLS[code]}5.00"


def test_nothing_shows_as_nothing_and_a_float_is_refused():
    assert format_money(None) == ""
    assert format_money(D("5")) == "$5.00"  # USD unless told
    with pytest.raises(TypeError):
        format_money(2.675)  # type: ignore[arg-type]


def test_the_filter_shows_the_signed_in_companys_currency(
    app: Flask, client: Client, make: Factory, admin: Connection
):
    tenant = make.tenant()
    admin.execute("update public.tenants set currency = 'EUR' where id = %s", [tenant.id])
    client.sign_in(tenant.owner.email)
    template = "{{ price|money }} | {{ price|money('GBP') }} | {{ nothing|money }}"
    with client:
        assert client.get("/account").status_code == 200  # the member's request, kept open
        shown = render_template_string(template, price=D("1234.5"), nothing=None)
    assert shown == "€1,234.50 | £1,234.50 | "
    with app.test_request_context("/"):  # nobody signed in
        assert render_template_string("{{ price|money }}", price=D("1234.5")) == "$1,234.50"
    with app.app_context():  # no request at all (a job rendering an email)
        assert render_template_string("{{ price|money }}", price=D("-3")) == "-$3.00"


def test_no_template_formats_money_by_hand():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"%\.2f|:,\.2f|\|round\(2|\"\$\"\s*~|'\$'\s*~|\$\{\{", line)
    ]
    assert offenders == [], "use the |money filter of app/money.py"


@pytest.mark.parametrize(
    ("value", "number", "percent"),
    [
        ("12.50", "12.5", "12.5%"),
        ("1.00", "1", "1%"),
        ("8.8750", "8.875", "8.875%"),
        ("100.00", "100", "100%"),
        ("1500.00", "1,500", "1,500%"),
        ("0.50", "0.5", "0.5%"),
    ],
)
def test_quantities_and_rates_lose_only_their_padding(
    value: str, number: str, percent: str
) -> None:
    assert format_number(Decimal(value)) == number
    assert format_percent(Decimal(value)) == percent
