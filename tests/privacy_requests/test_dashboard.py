"""P-10: the dashboard lists the open privacy requests, soonest due first with their kind and due
date, and says so when there are none."""

from __future__ import annotations

import pytest
from flask import Flask

from app.db import Connection
from tests.factories import Factory
from tests.privacy_requests.support import signed_in
from tests.requests.support import make_privacy_request

pytestmark = pytest.mark.promise("P-10")


def test_the_dashboard_lists_open_requests_and_says_when_there_are_none(
    app: Flask, admin: Connection, make: Factory
) -> None:
    tenant = make.tenant()
    office = signed_in(app, make.member(tenant.id, "office").email)
    assert "No open privacy requests." in office.get("/").get_data(as_text=True)

    request = make_privacy_request(admin, tenant.id, make.customer(tenant.id, "Ada"), "access")
    page = office.get("/").get_data(as_text=True)

    assert f"/privacy-requests/{request}" in page and "See my data" in page
    assert "1 open, answered within 30 days." in page
    admin.execute(
        "update public.privacy_requests set status = 'done', answer = 'Sent.',"
        " answered_at = now() where id = %s",
        [request],
    )
    assert "No open privacy requests." in office.get("/").get_data(as_text=True)
    technician = signed_in(app, make.member(tenant.id, "technician").email)
    assert "privacy requests" not in technician.get("/").get_data(as_text=True).lower()
