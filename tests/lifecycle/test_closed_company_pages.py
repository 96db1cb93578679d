"""P-11 in the app: a closed company's every page still opens (as its owner, and as its
homeowner in the portal) with no 500; every form is answered with a page saying the company is
closed, never a 500; the owner closes by typing the name and reopens."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from app import migrations
from app.db import Connection
from tests.conftest import Client
from tests.factories import Factory
from tests.test_fuzz_routes import ENDS_THE_SESSION
from tests.test_routes_security import (  # noqa: F401  (world, owner: fixtures)
    World,
    _request,
    _values_for_forged_request,
    a_weekday_ahead,
    form_data,
    owner,
    rules,
    url,
    world,
)

CLOSED_PAGE = "Not saved: this company is closed"


def close_in_the_browser(client: Client, world: World) -> None:  # noqa: F811  # noqa: F811
    page = client.get("/company/close")
    assert page.status_code == 200
    wrong = client.submit("/company/close", {"company_name": "Alpha"})
    assert wrong.status_code == 422
    assert "exactly as it is shown" in wrong.get_data(as_text=True)
    closed = client.submit("/company/close", {"company_name": world.mine.name})
    assert closed.status_code == 303, closed.get_data(as_text=True)


# Forms that act on the browser or on another company, not on the closed one: signing in or
# up, switching company, joining another by its invitation, leaving the portal.
ELSEWHERE = {
    "tenancy.switch_company",
    "tenancy.my_invitation",
    "portal.sign_out",
    "portal.choose_customer",
    "closing.reopen",
}


def targets(app: Flask, world: World) -> list[tuple[Rule, str, str]]:  # noqa: F811
    """Every route with the closed company's own objects: pages first, then forms."""
    found = []
    for rule in rules(app):
        if rule.endpoint in {"static", *ENDS_THE_SESSION} or rule.endpoint.startswith("auth."):
            continue
        values = _values_for_forged_request(world, rule)
        if isinstance(values, str):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method == "GET" or rule.endpoint not in ELSEWHERE:
                found.append((rule, method, url(app, rule, values)))
    return sorted(found, key=lambda target: target[1] != "GET")


def changes_since(admin: Connection, tenant_id: object, since: object) -> list[str]:
    rows = admin.execute(
        "select distinct table_name from audit.changes where tenant_id = %(t)s"
        " and changed_at > %(since)s and operation in ('insert', 'update', 'delete')"
        " and actor_label <> 'postgres'",  # the test's own setup (form_data makes objects)
        {"t": tenant_id, "since": since},
    ).fetchall()
    return sorted(row["table_name"] for row in rows)


@pytest.mark.promise("P-11")
def test_a_closed_companys_pages_open_and_its_forms_say_it_is_closed(
    app: Flask,
    admin: Connection,
    world: World,  # noqa: F811
    owner: Client,  # noqa: F811
) -> None:
    pages = targets(app, world)  # their objects made while the company is open
    close_in_the_browser(owner, world)
    closed_at = admin.execute("select clock_timestamp() as at").fetchall()[0]["at"]
    failures: list[str] = []
    statuses: dict[str, dict[int, int]] = {"GET": {}, "POST": {}}
    for rule, method, target in pages:
        data: dict[str, Any] = form_data(world) if method == "POST" else {}
        response = _request(owner, method, target, data)
        counted = statuses.setdefault(method, {})
        counted[response.status_code] = counted.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append(f"{method} {target} ({rule.endpoint}) -> {response.status_code}")
        if response.status_code == 409:
            assert CLOSED_PAGE in response.get_data(as_text=True)
    assert not failures, "\n".join(failures)
    assert statuses["GET"].get(200, 0) > 100, statuses
    assert statuses["POST"].get(409, 0) > 80, statuses
    # Nothing of the company changed but its export, which keeps working, and what withdraws
    # (a member removed, a consent withdrawn: app.withdrawal_while_closed); reads are logged,
    # which is no change.
    assert set(changes_since(admin, world.mine.id, closed_at)) <= {
        *migrations.READ_ONLY_EXEMPT,
        "public.memberships",
        "public.customers",
    }
    status = admin.execute(
        "select status from public.tenants where id = %s", [world.mine.id]
    ).fetchone()
    assert status == {"status": "closed"}


@pytest.mark.promise("P-11")
def test_the_banner_gives_the_dates_and_the_owner_reopens(
    app: Flask,
    admin: Connection,
    world: World,  # noqa: F811
    owner: Client,  # noqa: F811
) -> None:
    close_in_the_browser(owner, world)
    page = owner.get("/customers").get_data(as_text=True)
    assert "This company is closed" in page
    assert "Export all of your data until" in page
    assert 'href="/company/export"' in page
    assert "Reopen the company" in page
    refused = owner.submit(f"/customers/{world.homeowner}/edit", form_data(world))
    assert refused.status_code == 409
    assert "its records can be read and exported, not changed" in refused.get_data(as_text=True)

    reopened = owner.submit("/company/reopen")
    assert reopened.status_code == 303
    assert "This company is closed" not in owner.get("/customers").get_data(as_text=True)
    status = admin.execute(
        "select status from public.tenants where id = %s", [world.mine.id]
    ).fetchone()
    assert status == {"status": "active"}


def test_only_owners_see_the_close_page(app: Flask, world: World) -> None:  # noqa: F811
    admin_member = world.make.member(world.mine.id, "admin")
    client: Client = app.test_client()  # type: ignore[assignment]
    client.sign_in(admin_member.email)
    assert client.get("/company/close").status_code == 403
    assert client.submit("/company/close", {"company_name": world.mine.name}).status_code == 403
    assert client.submit("/company/reopen").status_code == 403


@pytest.mark.promise("P-11")
def test_a_technician_of_a_closed_company_sees_the_day_and_cannot_change_a_visit(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant("Polar Bear HVAC")
    technician = make.member(tenant.id, "technician")
    job = make.job(tenant.id, make.property(tenant.id, make.customer(tenant.id)))
    visit = make.visit(tenant.id, job, a_weekday_ahead(9), technicians=(technician.account_id,))
    admin.execute(
        "update public.tenants set status = 'closed', closed_at = now(),"
        " purge_after = now() + interval '30 days' where id = %s",
        [tenant.id],
    )
    phone: Client = app.test_client()  # type: ignore[assignment]
    phone.sign_in(technician.email)
    assert phone.get("/my-day").status_code == 200
    assert phone.get(f"/my-day/visits/{visit}").status_code == 200
    for path, form in (
        (f"/my-day/visits/{visit}/notes", {"body": "Filter changed"}),
        (f"/my-day/visits/{visit}/status", {"status": "en_route"}),
    ):
        refused = phone.submit(path, form)
        assert refused.status_code == 409
        assert "its records can be read and exported, not changed" in refused.get_data(as_text=True)
    notes = admin.execute(
        "select count(*) as n from public.visit_notes where tenant_id = %s", [tenant.id]
    ).fetchall()
    assert notes == [{"n": 0}]
