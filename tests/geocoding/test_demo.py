"""`flask seed demo` places the demo company's properties on the map (`make dev` runs no
worker), with the offline geocoder the job uses."""

from __future__ import annotations

from app.demo import seed


def test_the_demo_properties_are_on_the_map(admin):
    seed.demo(admin)
    seed.customers(admin)

    rows = admin.execute(
        "select p.geocode_status, p.time_zone, count(*) as n,"
        " count(*) filter (where p.latitude between 41 and 43"
        "   and p.longitude between -89 and -87) as near_chicago"
        " from public.properties p join public.tenants t on t.id = p.tenant_id"
        " where t.name = %s group by 1, 2",
        [seed.DEMO_COMPANY],
    ).fetchall()

    assert len(rows) == 1
    assert (rows[0]["geocode_status"], rows[0]["time_zone"]) == ("done", "America/Chicago")
    assert rows[0]["near_chicago"] == rows[0]["n"] > 0
    assert seed.geocode(admin) == 0  # nothing left to place
