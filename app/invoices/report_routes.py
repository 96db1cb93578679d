"""The office's money reports over days of the company's calendar (this month unless others
are chosen): payments by day and method with the day's refunds and what is left, and revenue
by technician and by job kind (defined in money_reports.sql), each on a page and as a CSV file;
and the Reports page that leads to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, db, menu, roles, sql
from app.auth import identity
from app.csv_export import cell, csv_response, csv_text
from app.invoices import bp
from app.invoices.forms import ReportRange
from app.invoices.vocabulary import METHODS
from app.vocabulary import JOB_KINDS

View = Response | str | tuple[str, int]
queries = sql.load(__file__, "money_reports.sql")
ZERO = Decimal("0.00")
NO_TECHNICIAN = "No technician"
NO_JOB = "No job"

menu.add(
    "Reports",
    "invoices.reports",
    roles=roles.OFFICE_STAFF,
    order=38,
    section=(
        "invoices.payments_report",
        "invoices.revenue_report",
        "invoices.accounting_export",
    ),
)


@dataclass
class DayRow:
    day: date
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(METHODS, ZERO))
    refunds: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def net(self) -> Decimal:
        """What the day brought in: the payments received less the refunds made."""
        return self.total - self.refunds


@dataclass(frozen=True)
class PaymentsByDay:
    days: list[DayRow]
    totals: dict[str, Decimal]
    count: int
    refunds: Decimal = ZERO
    refund_count: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def net(self) -> Decimal:
        return self.total - self.refunds


def payments_by_day(tenant_id: UUID, starts: date, ends: date) -> PaymentsByDay:
    """A row for every day of the range (days without payments too), a column per method, the
    refunds made that day and what is left of the day's payments after them."""
    days = [DayRow(starts + timedelta(days=n)) for n in range((ends - starts).days + 1)]
    totals = dict.fromkeys(METHODS, ZERO)
    count = refund_count = 0
    refunded = ZERO
    scope = {"tenant_id": tenant_id, "starts": starts, "ends": ends}
    found, refunds = db.query_together(
        (queries.payments_by_day, scope), (queries.refunds_by_day, scope)
    )
    for row in found:
        days[(row["day"] - starts).days].amounts[row["method"]] = row["amount"]
        totals[row["method"]] += row["amount"]
        count += row["payments"]
    for row in refunds:
        days[(row["day"] - starts).days].refunds += row["amount"]
        refunded += row["amount"]
        refund_count += row["refunds"]
    return PaymentsByDay(days, totals, count, refunded, refund_count)


@dataclass(frozen=True)
class Revenue:
    by_technician: list[dict[str, Any]]
    by_kind: list[dict[str, Any]]

    @property
    def total(self) -> Decimal:
        return sum((row["revenue"] for row in self.by_kind), ZERO)

    @property
    def invoices(self) -> int:
        return sum(row["invoices"] for row in self.by_kind)


def revenue(tenant_id: UUID, starts: date, ends: date) -> Revenue:
    """Revenue of the invoices dated in the range, by technician and by job kind."""
    scope = {"tenant_id": tenant_id, "starts": starts, "ends": ends}
    technicians, kinds = db.query_together(
        (queries.revenue_by_technician, scope), (queries.revenue_by_kind, scope)
    )
    for row in technicians:
        row["name"] = row["full_name"] or NO_TECHNICIAN
    for row in kinds:
        row["name"] = JOB_KINDS.get(row["kind"], NO_JOB)
    return Revenue(technicians, kinds)


def report_range() -> tuple[ReportRange, tuple[date, date] | None]:
    """The range asked for in the query string, or None (with the form's errors) when it is not
    one; this month by default, on the company's calendar."""
    form = ReportRange(request.args)
    if not form.validate():
        return form, None
    return form, form.span(datetime.now(company.zone()).date())


def answer_report(template: str, answer: Callable[[ReportRange, tuple[date, date]], View]) -> View:
    """`answer` for the range asked for, or the report's page with the form's errors."""
    form, span = report_range()
    if span is None:
        context = {"form": form, "report": None, "span": None, "methods": METHODS}
        return render_template(template, **context), 422
    return answer(form, span)


PAYMENTS_PAGE = "invoices/payments_report.html"
REVENUE_PAGE = "invoices/revenue_report.html"


@bp.get("/invoices/reports")
@identity.company_required(*roles.OFFICE_STAFF)
def reports() -> str:
    return render_template("invoices/reports.html")


def _payments_page(form: ReportRange, span: tuple[date, date]) -> View:
    report = payments_by_day(current_user.tenant_id, *span)
    context = {"form": form, "report": report, "span": span, "methods": METHODS}
    return render_template(PAYMENTS_PAGE, **context)


def _payments_file(form: ReportRange, span: tuple[date, date]) -> View:
    report = payments_by_day(current_user.tenant_id, *span)
    rows = [["Day", *METHODS.values(), "Total", "Refunds", "Net"]]
    rows += [
        [d.day.isoformat(), *map(str, d.amounts.values()), *map(str, (d.total, d.refunds, d.net))]
        for d in report.days
    ]
    totals = (report.total, report.refunds, report.net)
    rows.append(["Total", *map(str, report.totals.values()), *map(str, totals)])
    return _file(rows, "payments-by-day", span)


def _revenue_page(form: ReportRange, span: tuple[date, date]) -> View:
    report = revenue(current_user.tenant_id, *span)
    return render_template(REVENUE_PAGE, form=form, report=report, span=span)


def _revenue_file(form: ReportRange, span: tuple[date, date]) -> View:
    report = revenue(current_user.tenant_id, *span)
    rows = [["By", "Name", "Invoices", "Revenue"]]
    for by, found in (("Technician", report.by_technician), ("Job kind", report.by_kind)):
        rows += [[by, r["name"], str(r["invoices"]), str(r["revenue"])] for r in found]
    rows.append(["Total", "", str(report.invoices), str(report.total)])
    return _file(rows, "revenue", span)


@bp.get("/invoices/reports/payments")
@identity.company_required(*roles.OFFICE_STAFF)
def payments_report() -> View:
    return answer_report(PAYMENTS_PAGE, _payments_page)


@bp.get("/invoices/reports/payments.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def payments_csv() -> View:
    return answer_report(PAYMENTS_PAGE, _payments_file)


@bp.get("/invoices/reports/revenue")
@identity.company_required(*roles.OFFICE_STAFF)
def revenue_report() -> View:
    return answer_report(REVENUE_PAGE, _revenue_page)


@bp.get("/invoices/reports/revenue.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def revenue_csv() -> View:
    return answer_report(REVENUE_PAGE, _revenue_file)


def _file(rows: list[list[str]], name: str, span: tuple[date, date]) -> Response:
    text = csv_text([[cell(value) for value in row] for row in rows])
    return csv_response(["\ufeff" + text], f"{name}-{span[0]}-to-{span[1]}.csv")
