"""A call: who is calling (the customers' search, with what the office needs on the phone:
properties, equipment, open jobs, last visits), who they may already be (possible duplicates),
and taking it: customer, property, equipment and job created together or not at all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from app import customers, db, properties, scheduling, sql
from app.audit.access import record_list

queries = sql.load(__file__)
Row = dict[str, Any]

MATCHES_SHOWN = 5
PER_CUSTOMER = 3  # open jobs and last visits shown for each match
MIN_TERM = 2
EMAIL_LIKE = re.compile(r"^\S+@\S+$")
PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")
STREET_LIKE = re.compile(r"^\d+\s+\S")


def prefill(term: str) -> dict[str, dict[str, str]]:
    """What a search that found nobody already says about the new caller: a phone, an email,
    a street address or a name, as starting values of the customer and property fields."""
    term = " ".join(term.split())
    if not term:
        return {}
    if EMAIL_LIKE.match(term):
        return {"customer": {"email": term.lower()}}
    if PHONE_LIKE.match(term):
        return {"customer": {"phone": term}}
    if STREET_LIKE.match(term):
        return {"property": {"street": term}}
    first, _, last = term.partition(" ")
    return {"customer": {"first_name": first, "last_name": last}}


def matches(tenant_id: UUID, term: str) -> list[Row]:
    """The first customers the term finds (phone typed any way, name, email or address), each
    with its properties and their equipment, open jobs and last visits. The read is logged."""
    term = " ".join(term.split())
    if len(term) < MIN_TERM:
        return []
    found, _ = customers.search_customers(tenant_id, term, "name", None)
    found = found[:MATCHES_SHOWN]
    if not found:
        return []
    ids = [row["id"] for row in found]
    scope = {"tenant_id": tenant_id, "customer_ids": ids, "per_customer": PER_CUSTOMER}
    record_list("public.customers", ids, view="new call search")
    by_customer: dict[UUID, Row] = {
        row["id"]: {**row, "properties": [], "open_jobs": [], "last_visits": []} for row in found
    }
    for prop in db.query(queries.properties_of, scope):
        prop["title"] = properties.property_title(prop)
        for item in prop["equipment"]:
            item["title"] = " · ".join(
                p for p in (properties.equipment_title(item), item["model"]) if p
            )
        by_customer[prop["customer_id"]]["properties"].append(prop)
    for job in db.query(queries.open_jobs_of, scope):
        by_customer[job["customer_id"]]["open_jobs"].append(job)
    for past in db.query(queries.last_visits_of, scope):
        by_customer[past["customer_id"]]["last_visits"].append(past)
    return list(by_customer.values())


def duplicates(tenant_id: UUID, customer: Row, place: Row) -> list[Row]:
    """Customers the new caller may already be: same phone, same email, or same name and
    address (what each shares is said in `reasons`)."""
    display_name = (
        customer["company_name"]
        if customer["kind"] == "commercial" and customer["company_name"]
        else " ".join(p for p in (customer["first_name"], customer["last_name"]) if p)
    )
    rows = db.query(
        queries.possible_duplicates,
        {
            "tenant_id": tenant_id,
            "phone": customer["phone"],
            "email": customer["email"],
            "display_name": display_name,
            "street": place["street"],
            "unit": place["unit"],
            "city": place["city"],
        },
    )
    for row in rows:
        row["reasons"] = [
            reason
            for reason, shared in (
                ("the same phone", row["same_phone"]),
                ("the same email", row["same_email"]),
                ("the same name and address", row["same_address_property_id"] is not None),
            )
            if shared
        ]
    if rows:
        record_list("public.customers", (r["id"] for r in rows), view="possible duplicates")
    return rows


@dataclass
class Call:
    """What one submit of the New call page creates: a customer (unless `customer_id`), a
    property (unless `property_id`), equipment (when described, at that property) and the
    job, naming that equipment and `equipment_ids` (chosen at a property found)."""

    job: Row
    customer_id: UUID | None = None
    property_id: UUID | None = None
    customer: Row | None = None
    place: Row | None = None
    equipment: Row | None = None
    equipment_ids: list[UUID] = field(default_factory=list)


def take(tenant_id: UUID, call: Call) -> UUID:
    """Create what the call needs, all or nothing (a refusal raises db.ConstraintViolation or
    scheduling.SchedulingRefused and leaves nothing behind); the new job's visit."""
    with db.atomic():
        property_id = call.property_id
        if property_id is None:
            customer_id = call.customer_id
            if customer_id is None:
                assert call.customer is not None
                customer_id = customers.create_customer(tenant_id, call.customer)
            assert call.place is not None
            property_id = properties.create_property(tenant_id, customer_id, call.place)
        equipment_ids = list(call.equipment_ids)
        if call.equipment is not None:
            equipment_ids.append(
                properties.create_equipment(tenant_id, property_id, call.equipment)
            )
        job_id = scheduling.create_job(tenant_id, property_id, call.job, equipment_ids)
        visit_id = scheduling.first_visit(tenant_id, job_id)
    assert visit_id is not None
    return visit_id
