"""The homeowner's properties and the equipment at each, with its service history (what each
completed visit did to it), read through the homeowner's own policies."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import render_template

from app import db, sql, vocabulary
from app.portal import bp
from app.portal.identity import portal_required, signed_in
from app.portal.nav import NAV
from app.portal.zone import company_zone

queries = sql.load(__file__, "properties.sql")
NAV.append(("My home and equipment", "portal.properties"))

EQUIPMENT_KINDS = vocabulary.EQUIPMENT_KINDS | {"other": "Other equipment"}


def first_names(technicians: str) -> str:
    """ "Sam Ortiz, Kim Lee" as "Sam, Kim": the portal names staff by first name only."""
    return ", ".join(name.split()[0] for name in technicians.split(",") if name.strip())


def _properties() -> list[dict[str, Any]]:
    """Each property with its equipment, each piece with its service records."""
    me = signed_in()
    where = {"tenant_id": me.tenant_id, "customer_id": me.customer_id}
    places, equipment, records = db.query_together(
        (queries.list_properties, where),
        (queries.list_equipment, where),
        (queries.list_service_records, where),
    )
    history: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        shown = {**record, "technicians": first_names(record["technicians"])}
        history[record["equipment_id"]].append(shown)
    by_place: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for piece in equipment:
        by_place[piece["property_id"]].append({**piece, "history": history[piece["id"]]})
    return [{**place, "equipment": by_place[place["id"]]} for place in places]


@bp.get("/properties")
@portal_required
def properties() -> str:
    return render_template(
        "portal/properties.html",
        places=_properties(),
        kinds=EQUIPMENT_KINDS,
        zone=company_zone(),
    )
