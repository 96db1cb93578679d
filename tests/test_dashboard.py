"""The dashboard's count of today's visits: the company's for the office, one's own for a
technician."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import Client
from tests.factories import Factory

NEW_YORK = ZoneInfo("America/New_York")


def counts(client: Client) -> str:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r"<h2>Today's visits</h2>\s*<p>(.*?)</p>", page, re.S)
    assert match, page
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_today_counts_the_companys_visits_for_the_office_and_ones_own_for_a_technician(
    client: Client, make: Factory
):
    tenant = make.tenant()
    terry, tina = (make.member(tenant.id, "technician") for _ in range(2))
    place = make.property(tenant.id, make.customer(tenant.id))
    today = datetime.now(NEW_YORK).date()
    # Any hour of today fits when the technicians work around the clock, weekends included.
    for technician in (terry, tina):
        for weekday in range(1, 8):
            make.conn.execute(
                "insert into public.working_hours (tenant_id, technician_id, weekday, starts_at,"
                " ends_at) values (%s, %s, %s, '00:00', '23:59')",
                [tenant.id, technician.account_id, weekday],
            )
    starts = datetime.combine(today, time(0, 5), NEW_YORK)
    for n, technician in enumerate((terry, terry, tina)):
        make.visit(
            tenant.id,
            make.job(tenant.id, place),
            starts + timedelta(minutes=20 * n),
            hours=0.25,
            minutes=15,
            technicians=(technician.account_id,),
        )
    make.visit(tenant.id, make.job(tenant.id, place))  # waiting in the queue

    client.sign_in(tenant.owner.email)
    assert counts(client) == "3 to do · 0 completed · 1 waiting to be scheduled"

    client.post("/sign-out", data={"csrf_token": client.csrf_token()})
    client.sign_in(terry.email)
    assert counts(client) == "2 to do · 0 completed"
