"""The campaign pages: the list, a draft's form (office staff), its page with the preview (or,
once queued, the report), scheduling and canceling (owners and admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import company, menu, roles
from app.auth import identity
from app.messaging import bp, campaigns
from app.messaging.campaign_forms import CampaignForm, ScheduleForm
from app.views import confirmed, found_or_404, page_number, saved
from app.vocabulary import EQUIPMENT_KINDS

View = Response | str | tuple[str, int]
menu.add(
    "Campaigns",
    "messaging.campaign_list",
    roles=roles.OFFICE_STAFF,
    order=50,
    section=("messaging.new_campaign", "messaging.campaign", "messaging.edit_campaign"),
)
FORM = "messaging/campaign_form.html"
LABELS = {
    "audiences": campaigns.AUDIENCES,
    "statuses": campaigns.STATUSES,
    "equipment_kinds": EQUIPMENT_KINDS,
}


def _campaign(campaign_id: UUID) -> dict[str, Any]:
    return found_or_404(campaigns.get(current_user.tenant_id, campaign_id))


@bp.get("/campaigns")
@identity.company_required(*roles.OFFICE_STAFF)
def campaign_list() -> View:
    number = page_number()
    if number is None:
        abort(404)
    page = campaigns.list_page(current_user.tenant_id, number)
    return render_template("messaging/campaigns.html", page=page, **LABELS)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def new_campaign() -> View:
    form = CampaignForm()
    if not form.is_submitted():
        return render_template(FORM, form=form, campaign=None)
    made = saved(form, FORM, lambda: campaigns.create(current_user.tenant_id, form.values()))
    flash("Campaign saved as a draft: check its preview below.", "success")
    return redirect(url_for("messaging.campaign", campaign_id=made))


@bp.route("/campaigns/<uuid:campaign_id>/edit", methods=["GET", "POST"])
@identity.company_required(*roles.OFFICE_STAFF)
def edit_campaign(campaign_id: UUID) -> View:
    found = _campaign(campaign_id)
    form = CampaignForm()
    if found["status"] != "draft":
        flash("Only a draft can be changed: take it back to draft first.", "error")
        return redirect(url_for("messaging.campaign", campaign_id=campaign_id))
    if not form.is_submitted():
        form.fill(found)
        return render_template(FORM, form=form, campaign=found)
    if saved(
        form,
        FORM,
        lambda: campaigns.update(current_user.tenant_id, campaign_id, form.values()),
        campaign=found,
    ):
        flash("Campaign saved.", "success")
    else:
        flash("It was scheduled meanwhile: only a draft can be changed.", "error")
    return redirect(url_for("messaging.campaign", campaign_id=campaign_id))


def _page(found: dict[str, Any], schedule_form: ScheduleForm | None = None) -> str:
    tenant_id = current_user.tenant_id
    context: dict[str, Any] = {"campaign": found, "zone": company.zone(tenant_id), **LABELS}
    if found["status"] in ("draft", "scheduled"):
        context["preview"] = campaigns.preview(tenant_id, found)
    else:
        context["report"], context["blocked"] = campaigns.report(tenant_id, found["id"])
    form = schedule_form or ScheduleForm(data={"per_minute": found["per_minute"]})
    return render_template("messaging/campaign.html", schedule_form=form, **context)


@bp.get("/campaigns/<uuid:campaign_id>")
@identity.company_required(*roles.OFFICE_STAFF)
def campaign(campaign_id: UUID) -> View:
    return _page(_campaign(campaign_id))


@bp.post("/campaigns/<uuid:campaign_id>/schedule")
@identity.company_required(*roles.MANAGERS)
def schedule_campaign(campaign_id: UUID) -> View:
    found = _campaign(campaign_id)
    form = ScheduleForm()
    zone = company.zone(current_user.tenant_id)
    if not form.validate_on_submit() or not form.check_future(zone, datetime.now(UTC)):
        return _page(found, form), 422
    at = form.at(zone)
    if campaigns.schedule(current_user.tenant_id, campaign_id, at, form.per_minute.data or 60):
        flash(f"Scheduled for {at:%a %b %-d, %Y at %-I:%M %p} ({zone.key}).", "success")
    else:
        flash("This campaign has started; it can no longer be scheduled.", "error")
    return redirect(url_for("messaging.campaign", campaign_id=campaign_id))


@bp.post("/campaigns/<uuid:campaign_id>/cancel")
@identity.company_required(*roles.MANAGERS)
def cancel_campaign(campaign_id: UUID) -> View:
    _campaign(campaign_id)
    confirmed()
    canceled = campaigns.cancel(campaign_id)
    if canceled is None:
        flash("This campaign has ended already.", "error")
    else:
        flash(f"Campaign canceled; {canceled} message(s) not yet sent were canceled.", "success")
    return redirect(url_for("messaging.campaign", campaign_id=campaign_id))
