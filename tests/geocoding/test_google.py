"""Google Maps through the official `googlemaps` SDK, against the loopback server of
maps_server.py: a place with Google's time zone, ZERO_RESULTS failed with a reason, outages
(500, OVER_QUERY_LIMIT, a refused key) kept pending and tried again after a wait, and driving
times from the Distance Matrix, kept per process."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from psycopg_pool import ConnectionPool

from app.db import Connection
from app.integrations import maps
from jobs.geocoding import sweep
from tests.clock import set_clock
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.geocoding.conftest import add_property, place_of
from tests.geocoding.maps_server import GARBAGE, KEY, FakeMaps
from tests.properties.support import html


def database_now(admin: Connection) -> datetime:
    row = admin.execute("select now() as now").fetchone()
    assert row is not None
    return row["now"]


def google(server: FakeMaps, key: str = KEY) -> maps.GoogleMaps:
    """An adapter that gives up on an outage after a second (the default waits 10)."""
    return maps.GoogleMaps(key, server.url, retry_timeout=1)


def test_settings_with_a_key_choose_google(database: TestDatabase, maps_server: FakeMaps):
    with_key = make_settings(database, google_maps_key=KEY, google_maps_api_base=maps_server.url)

    assert isinstance(maps.for_settings(with_key), maps.GoogleMaps)
    assert maps.for_settings(make_settings(database)) is maps.OFFLINE


def test_google_places_a_property_in_googles_time_zone(
    database: TestDatabase,
    pool: ConnectionPool,
    admin: Connection,
    make: Factory,
    maps_server: FakeMaps,
):
    tenant = make.tenant()
    place = add_property(admin, tenant.id, make.customer(tenant.id), "01545", street="12 Oak Ave")
    maps_server.places["12 Oak Ave"] = (42.2861234, -71.7143219)
    maps_server.time_zone = "America/New_York"
    settings = make_settings(database, google_maps_key=KEY, google_maps_api_base=maps_server.url)

    assert sweep(pool, maps.for_settings(settings)) == 1

    found = place_of(admin, place)
    assert (found["status"], found["latitude"], found["longitude"], found["time_zone"]) == (
        "done",
        Decimal("42.286123"),
        Decimal("-71.714322"),
        "America/New_York",
    )
    [asked] = maps_server.asked("geocode")
    assert asked["address"] == "12 Oak Ave, Springfield, 01545, US"
    assert asked["components"] == "country:US"
    assert asked["key"] == KEY
    assert maps_server.asked("timezone")[0]["location"] == "42.2861234,-71.7143219"


def test_zero_results_fails_with_a_reason(
    pool: ConnectionPool, admin: Connection, make: Factory, maps_server: FakeMaps
):
    tenant = make.tenant()
    place = add_property(admin, tenant.id, make.customer(tenant.id), "01545", street="1 Nowhere")

    assert sweep(pool, google(maps_server)) == 1

    found = place_of(admin, place)
    assert (found["status"], found["latitude"]) == ("failed", None)
    assert found["failure"].startswith("Google Maps found no place for this address")


def test_google_without_a_time_zone_answer_takes_the_zips(
    pool: ConnectionPool, admin: Connection, make: Factory, maps_server: FakeMaps
):
    tenant = make.tenant()
    place = add_property(admin, tenant.id, make.customer(tenant.id), "60614", street="12 Oak Ave")
    maps_server.places["12 Oak Ave"] = (41.92, -87.65)
    maps_server.fail_with, maps_server.fail_only = "ZERO_RESULTS", "timezone"

    sweep(pool, google(maps_server))

    assert place_of(admin, place)["time_zone"] == "America/Chicago"


@pytest.mark.parametrize(
    ("trouble", "told"),
    [
        (500, "Google Maps could not be reached"),
        ("OVER_QUERY_LIMIT", "Google Maps could not be reached"),  # retried until the timeout
        ("UNKNOWN_ERROR", "Google Maps answered UNKNOWN_ERROR"),
    ],
)
def test_an_outage_keeps_the_property_pending_and_it_is_tried_again_later(
    app,
    pool: ConnectionPool,
    admin: Connection,
    make: Factory,
    maps_server: FakeMaps,
    trouble,
    told,
):
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    first = add_property(admin, tenant.id, customer, "01545", street="12 Oak Ave")
    second = add_property(admin, tenant.id, customer, "01545", street="14 Oak Ave")
    maps_server.places.update({"12 Oak Ave": (42.28, -71.71), "14 Oak Ave": (42.29, -71.72)})
    maps_server.fail_with = trouble
    now = database_now(admin)
    set_clock(admin, now)

    assert sweep(pool, google(maps_server)) == 0

    held = place_of(admin, first)
    assert (held["status"], held["attempts"], held["latitude"]) == ("pending", 1, None)
    assert held["retry_at"] == now + timedelta(minutes=1)
    assert held["failure"].startswith(told)
    untouched = place_of(admin, second)
    assert (untouched["status"], untouched["attempts"], untouched["failure"]) == (
        "pending",
        0,
        None,
    )
    if trouble == 500:
        assert len(maps_server.asked("geocode")) > 1  # the SDK retried before giving up

    maps_server.fail_with = None
    assert sweep(pool, google(maps_server)) == 1  # the other one; the first waits its turn
    assert place_of(admin, first)["status"] == "pending"
    owner: Client = app.test_client()
    owner.sign_in(tenant.owner.email)
    page = html(owner.get(f"/properties/{first}"))
    assert "waiting for geocoding" in page and "Last attempt: " + held["failure"] in page

    set_clock(admin, now + timedelta(minutes=1))
    assert sweep(pool, google(maps_server)) == 1
    assert place_of(admin, first) | {"geocoded_at": None} == {
        "status": "done",
        "latitude": Decimal("42.280000"),
        "longitude": Decimal("-71.710000"),
        "time_zone": "America/New_York",
        "failure": None,
        "attempts": 0,
        "retry_at": None,
        "geocoded_at": None,
    }


def test_the_wait_doubles_with_each_attempt(
    pool: ConnectionPool, admin: Connection, make: Factory, maps_server: FakeMaps
):
    tenant = make.tenant()
    place = add_property(admin, tenant.id, make.customer(tenant.id), "01545")
    maps_server.fail_with = "UNKNOWN_ERROR"
    now = database_now(admin)
    waits = []
    for _ in range(4):
        set_clock(admin, now)
        sweep(pool, google(maps_server))
        retry_at = place_of(admin, place)["retry_at"]
        waits.append(retry_at - now)
        now = retry_at

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert place_of(admin, place)["status"] == "pending"


def test_a_refused_key_keeps_everything_pending(
    pool: ConnectionPool, admin: Connection, make: Factory, maps_server: FakeMaps
):
    tenant = make.tenant()
    place = add_property(admin, tenant.id, make.customer(tenant.id), "01545")

    assert sweep(pool, google(maps_server, key="AIzaSyWrongKey")) == 0

    held = place_of(admin, place)
    assert (held["status"], held["failure"]) == (
        "pending",
        "Google Maps answered REQUEST_DENIED; it is tried again later.",
    )


def test_a_key_that_is_no_maps_key_is_refused_at_once():
    with pytest.raises(maps.Unavailable, match="GOOGLE_MAPS_API_KEY is refused"):
        maps.GoogleMaps("sk_live_not_a_maps_key")


def test_an_answer_that_is_no_json_rolls_the_whole_batch_back(
    pool: ConnectionPool, admin: Connection, make: Factory, maps_server: FakeMaps
):
    """A crash mid-batch: the properties placed before it in the same batch stay pending too
    (the worker logs the failure and backs off), and the next pass places them all."""
    tenant = make.tenant()
    customer = make.customer(tenant.id)
    first = add_property(admin, tenant.id, customer, "01545", street="12 Oak Ave")
    second = add_property(admin, tenant.id, customer, "01545", street="14 Oak Ave")
    maps_server.places.update({"12 Oak Ave": (42.28, -71.71), "14 Oak Ave": (42.29, -71.72)})
    maps_server.fail_with, maps_server.fail_only = GARBAGE, "timezone"

    with pytest.raises(ValueError):
        sweep(pool, google(maps_server))

    assert len(maps_server.asked("geocode")) == 1
    assert [place_of(admin, p)["status"] for p in (first, second)] == ["pending", "pending"]
    maps_server.fail_with = None
    assert sweep(pool, google(maps_server)) == 2


# --- driving times ---------------------------------------------------------------------------


def test_eta_minutes_asks_the_distance_matrix_once_for_nearby_points(
    database: TestDatabase, maps_server: FakeMaps
):
    settings = make_settings(database, google_maps_key=KEY, google_maps_api_base=maps_server.url)
    maps_server.driving_seconds = 25 * 60 + 10  # 25 minutes 10 seconds: 26, rounded up

    first = maps.eta_minutes(settings, Decimal("42.284800"), Decimal("-71.720400"), 42.36, -71.10)
    again = maps.eta_minutes(settings, 42.28481, -71.72041, 42.36002, -71.10001)  # ~2 m away

    assert (first, again) == (26, 26)
    [asked] = maps_server.asked("distancematrix")
    assert (asked["origins"], asked["destinations"], asked["mode"]) == (
        "42.285,-71.72",
        "42.36,-71.1",
        "driving",
    )
    assert maps.eta_minutes(settings, None, None, 42.36, -71.10) is None


def test_without_a_route_or_a_google_answer_eta_is_the_straight_line_estimate(
    maps_server: FakeMaps,
):
    adapter = google(maps_server)
    start, end = maps.Point(42.0, -71.0), maps.Point(42.5, -71.0)
    estimate = maps.estimated_minutes(start, end)

    maps_server.fail_with, maps_server.fail_only = "ZERO_RESULTS", "distancematrix"
    assert adapter.travel_minutes(start, end) == estimate
    maps_server.fail_with = 500
    assert adapter.travel_minutes(maps.Point(41.0, -71.0), end) == maps.estimated_minutes(
        maps.Point(41.0, -71.0), end
    )
