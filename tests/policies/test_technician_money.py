"""P-02 for the technician's money, at the SQL level: a technician makes and shows (marks sent)
the estimates of the jobs of their own visits, but answers one only in person, through
app.approve_estimate_in_person with a signature (never by a plain update: approving by phone,
declining and revising are the office's), voids no invoice, and learns whether a customer has
a plan (for member prices) only for the customers of their own visits. Every statement runs as
the app runs it and is rolled back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests.conftest import TestDatabase
from tests.factories import Factory, Member, Tenant
from tests.policies.identity import acting_as, claims_of, rows_changed
from tests.technician.support import at, today, works_every_day

pytestmark = pytest.mark.promise("P-02")


@dataclass(frozen=True)
class Shop:
    tenant: Tenant
    office: Member
    terry: Member  # on the job's visit
    tina: Member  # on another customer's visit
    customer: UUID
    job: UUID
    draft: UUID
    sent: UUID
    option: UUID  # the sent estimate's
    invoice: UUID  # sent, of the job


def _estimate(make: Factory, shop: Tenant, place: UUID, job: UUID, status: str) -> UUID:
    estimate = make.estimate(shop.id, place, job)
    option = make.estimate_option(shop.id, estimate)
    make.conn.execute(
        "insert into public.estimate_lines (tenant_id, estimate_id, option_id, description,"
        " quantity, unit_price) values (%s, %s, %s, 'Capacitor', 1, 85)",
        [shop.id, estimate, option],
    )
    if status == "sent":
        make.conn.execute(
            "update public.estimates set status = 'sent', sent_at = now() where id = %s",
            [estimate],
        )
    return estimate


@pytest.fixture
def shop(make: Factory) -> Shop:
    tenant = make.tenant("Polar Air")
    office = make.member(tenant.id, "office")
    terry, tina = make.member(tenant.id, "technician"), make.member(tenant.id, "technician")
    customer = make.customer(tenant.id, "Dana", "Reyes")
    place = make.property(tenant.id, customer)
    job = make.job(tenant.id, place)
    for member in (terry, tina):
        works_every_day(make.conn, tenant.id, member.account_id)
    make.visit(tenant.id, job, at(today(), 9), technicians=(terry.account_id,))
    others = make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))
    make.visit(tenant.id, others, at(today(), 9), technicians=(tina.account_id,))
    draft = _estimate(make, tenant, place, job, "draft")
    sent = _estimate(make, tenant, place, job, "sent")
    option = make.conn.execute(
        "select id from public.estimate_options where estimate_id = %s", [sent]
    ).fetchone()
    invoice = make.invoice(tenant.id, place, job, lines=("100.00",), status="sent")
    make.agreement(tenant.id, place)
    assert option is not None
    return Shop(tenant, office, terry, tina, customer, job, draft, sent, option["id"], invoice)


def _update(database: TestDatabase, who: Member, statement: str, params: dict[str, Any]) -> Any:
    """Rows changed, or the name of the constraint that refused it."""
    with acting_as(database, claims_of(who)) as conn:
        try:
            return rows_changed(conn, statement, params)
        except psycopg.errors.CheckViolation as refused:
            return refused.diag.constraint_name


ANSWERS = {
    "approve by phone": "update public.estimates set status = 'approved', approved_at = now(),"
    " approved_option_id = %(option)s where id = %(id)s",
    "decline": "update public.estimates set status = 'declined', declined_at = now()"
    " where id = %(id)s",
    "revise": "update public.estimates set status = 'revised' where id = %(id)s",
}


@pytest.mark.parametrize("answer", ANSWERS)
def test_a_technician_answers_no_estimate_by_a_plain_update(
    database: TestDatabase, shop: Shop, answer: str
) -> None:
    params = {"id": shop.sent, "option": shop.option}

    mine = _update(database, shop.terry, ANSWERS[answer], params)
    office = _update(database, shop.office, ANSWERS[answer], params)

    assert (mine, office) == ("estimates_answered_by_office", 1)


def test_a_technician_shows_their_own_draft_only(database: TestDatabase, shop: Shop) -> None:
    show = "update public.estimates set status = 'sent', sent_at = now() where id = %(id)s"

    assert _update(database, shop.terry, show, {"id": shop.draft}) == 1
    assert _update(database, shop.tina, show, {"id": shop.draft}) == 0  # not her job's


def test_only_the_office_voids_an_invoice(database: TestDatabase, shop: Shop) -> None:
    void = (
        "update public.invoices set status = 'void', voided_at = now(), void_reason = 'Twice'"
        " where id = %(id)s"
    )

    assert _update(database, shop.terry, void, {"id": shop.invoice}) == "invoices_voided_by_office"
    assert _update(database, shop.tina, void, {"id": shop.invoice}) == 0
    assert _update(database, shop.office, void, {"id": shop.invoice}) == 1


def _approve_in_person(database: TestDatabase, who: Member, shop: Shop) -> Any:
    key = f"{shop.tenant.id}/estimates/{shop.sent}/{UUID(int=7)}.png"
    with acting_as(database, claims_of(who)) as conn:
        try:
            row = conn.execute(
                "select app.approve_estimate_in_person(%s, %s, 'Dana Reyes', %s) as outcome",
                [shop.sent, shop.option, key],
            ).fetchone()
            by = conn.execute(
                "select approval_recorded_by from public.estimates where id = %s", [shop.sent]
            ).fetchone()
        except psycopg.errors.NoDataFound:
            return "no such estimate"
    assert row is not None and by is not None
    return row["outcome"], by["approval_recorded_by"]


def test_an_approval_in_person_is_recorded_by_the_jobs_technician(
    database: TestDatabase, shop: Shop
) -> None:
    assert _approve_in_person(database, shop.terry, shop) == ("approved", shop.terry.account_id)
    assert _approve_in_person(database, shop.office, shop) == ("approved", shop.office.account_id)
    assert _approve_in_person(database, shop.tina, shop) == "no such estimate"


def test_an_approval_in_person_of_a_draft_is_closed(database: TestDatabase, shop: Shop) -> None:
    with acting_as(database, claims_of(shop.terry)) as conn:
        option = conn.execute(
            "select id from public.estimate_options where estimate_id = %s", [shop.draft]
        ).fetchone()
        assert option is not None
        key = f"{shop.tenant.id}/estimates/{shop.draft}/{UUID(int=7)}.png"
        row = conn.execute(
            "select app.approve_estimate_in_person(%s, %s, 'Dana', %s) as outcome",
            [shop.draft, option["id"], key],
        ).fetchone()

    assert row == {"outcome": "closed"}


def test_whether_a_customer_has_a_plan_is_told_only_to_who_may_see_them(
    database: TestDatabase, make: Factory, shop: Shop
) -> None:
    stranger = make.member(make.tenant("Other Air").id, "owner")
    answers = {}
    for name, who in (
        ("office", shop.office),
        ("terry", shop.terry),
        ("tina", shop.tina),
        ("another company", stranger),
    ):
        with acting_as(database, claims_of(who)) as conn:
            row = conn.execute(
                "select app.customer_has_plan(%s) as member", [shop.customer]
            ).fetchone()
            assert row is not None
            answers[name] = row["member"]

    assert answers == {"office": True, "terry": True, "tina": False, "another company": False}


def test_no_plan_no_member_prices(database: TestDatabase, make: Factory, shop: Shop) -> None:
    make.conn.execute(
        "update public.service_agreements set status = 'canceled' where customer_id = %s",
        [shop.customer],
    )
    with acting_as(database, claims_of(shop.office)) as conn:
        row = conn.execute("select app.customer_has_plan(%s) as m", [shop.customer]).fetchone()

    assert row == {"m": False}
