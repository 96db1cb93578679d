"""The jobs list and the visits of today and this week, for office staff, with CSV exports."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from flask import render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, roles
from app.audit.access import record_list
from app.auth import identity
from app.csv_export import csv_response
from app.vocabulary import JOB_KINDS as KINDS
from app.vocabulary import JOB_PRIORITIES as PRIORITIES
from app.vocabulary import VISIT_STATUSES as STATUSES
from app.worklists import bp, filters, service
from app.worklists.filters import JOB_COLUMNS, VISIT_COLUMNS, Column, ListForm

View = Response | tuple[str, int]

SPAN_TITLES = {"today": "Today's visits", "week": "This week's visits"}


def _form(columns: dict[str, Column]) -> ListForm:
    return filters.list_form(request.args, service.technicians(current_user.tenant_id), columns)


def _filter_args() -> dict[str, str]:
    """The query string without the page: what every link of the list keeps."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


def _render(template: str, form: ListForm, page: service.Page | None, **context: Any) -> View:
    return render_template(
        template,
        form=form,
        page=page,
        filter_args=_filter_args(),
        kinds=KINDS,
        priorities=PRIORITIES,
        statuses=STATUSES,
        **context,
    ), (200 if page is not None else 422)


@bp.get("/jobs")
@identity.company_required(*roles.OFFICE_STAFF)
def jobs() -> View:
    form = _form(JOB_COLUMNS)
    if not form.validate():
        return _render("worklists/jobs.html", form, None, columns=JOB_COLUMNS)
    listing = filters.listing(form, JOB_COLUMNS, filters.page_number(request.args.get("page")))
    tenant_id = current_user.tenant_id
    page = service.jobs(tenant_id, listing, company.zone(tenant_id))
    record_list("public.jobs", (job["id"] for job in page.rows), view="jobs list")
    return _render("worklists/jobs.html", form, page, columns=JOB_COLUMNS)


@bp.get("/jobs/export.csv")
@identity.company_required(*roles.OFFICE_STAFF)
def export_jobs() -> View:
    form = _form(JOB_COLUMNS)
    if not form.validate():
        return _render("worklists/jobs.html", form, None, columns=JOB_COLUMNS)
    listing = filters.listing(form, JOB_COLUMNS, 1)
    tenant_id = current_user.tenant_id
    chunks = service.export_jobs(tenant_id, listing, company.zone(tenant_id))
    return csv_response(chunks, f"jobs-{date.today().isoformat()}.csv")


def _visits(span_name: str) -> View:
    form = _form(VISIT_COLUMNS)
    tenant_id = current_user.tenant_id
    zone = company.zone(tenant_id)
    within = service.span(span_name, zone)
    context = {"columns": VISIT_COLUMNS, "span": within, "title": SPAN_TITLES[span_name]}
    if not form.validate():
        return _render("worklists/visits.html", form, None, **context)
    listing = filters.listing(form, VISIT_COLUMNS, filters.page_number(request.args.get("page")))
    page = service.visits(tenant_id, listing, within, zone)
    record_list("public.visits", (v["id"] for v in page.rows), view=f"visits {span_name}")
    return _render("worklists/visits.html", form, page, **context)


def _export_visits(span_name: str) -> View:
    form = _form(VISIT_COLUMNS)
    tenant_id = current_user.tenant_id
    zone = company.zone(tenant_id)
    within = service.span(span_name, zone)
    if not form.validate():
        context = {"columns": VISIT_COLUMNS, "span": within, "title": SPAN_TITLES[span_name]}
        return _render("worklists/visits.html", form, None, **context)
    chunks = service.export_visits(tenant_id, filters.listing(form, VISIT_COLUMNS, 1), within, zone)
    return csv_response(chunks, f"visits-{span_name}-{within.first.isoformat()}.csv")


def _visits_route(span_name: str) -> None:
    """`/visits/<span>` and its CSV export, as `worklists.visits_<span>` (and `export_…`)."""
    company_view = identity.company_required(*roles.OFFICE_STAFF)
    bp.add_url_rule(
        f"/visits/{span_name}", f"visits_{span_name}", company_view(partial(_visits, span_name))
    )
    bp.add_url_rule(
        f"/visits/{span_name}/export.csv",
        f"export_visits_{span_name}",
        company_view(partial(_export_visits, span_name)),
    )


for _span in SPAN_TITLES:
    _visits_route(_span)
