"""The offline maps adapter (the default, no account): US ZIP centroids with their time zones,
readable failures, and straight-line travel times worked by hand."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from app.integrations import maps
from tests.conftest import TestDatabase, make_settings


def address(postal_code: str, country: str = "US") -> maps.Address:
    return maps.Address("12 Elm St", "", "Somewhere", "", postal_code, country)


@pytest.mark.parametrize(
    ("typed", "latitude", "longitude", "zone"),
    [
        ("01545", 42.2848, -71.7205, "America/New_York"),  # Shrewsbury, MA
        ("1545", 42.2848, -71.7205, "America/New_York"),  # the leading zero lost in a sheet
        ("01545-1234", 42.2848, -71.7205, "America/New_York"),  # ZIP+4
        ("015451234", 42.2848, -71.7205, "America/New_York"),  # ZIP+4 without its dash
        (" 2139 ", 42.3647, -71.1042, "America/New_York"),  # Cambridge, MA
        ("60614", 41.9229, -87.6483, "America/Chicago"),
        ("85004", 33.4557, -112.0686, "America/Phoenix"),  # no daylight saving time
    ],
)
def test_known_zips_are_placed_with_their_time_zone(typed, latitude, longitude, zone):
    found = maps.OFFLINE.geocode(address(typed))

    assert found == maps.Place(maps.Point(latitude, longitude), zone)


@pytest.mark.parametrize(
    ("typed", "country", "reason"),
    [
        ("99999", "US", "No place is known for ZIP 99999"),
        ("999", "US", "No place is known for ZIP 00999"),
        ("09000", "US", "ZIP 09000 is a military post office"),
        ("ABCDE", "US", "'ABCDE' is not a US ZIP code"),
        ("", "US", "The address has no ZIP code"),
        ("M5V 2T6", "CA", "only US ZIP codes can be placed; this address is in CA"),
    ],
)
def test_what_cannot_be_placed_fails_with_a_reason(typed, country, reason):
    found = maps.OFFLINE.geocode(address(typed, country))

    assert isinstance(found, maps.Failure)
    assert reason in found.reason


def test_a_zip_whose_zone_python_does_not_know_gets_none():
    assert maps.zip_time_zone("99634") is None  # the package names it "Napakiak"
    assert maps.zip_time_zone("1545") == "America/New_York"
    assert maps.zip_time_zone("01545", "CA") is None


MILE = 180 / (math.pi * maps.EARTH_RADIUS_MILES)  # degrees of latitude in a mile


def test_travel_minutes_are_worked_by_hand():
    start = maps.Point(42.0, -71.0)
    ten_miles_north = maps.Point(42.0 + 10 * MILE, -71.0)
    three_miles_north = maps.Point(42.0 + 3 * MILE, -71.0)

    assert maps.straight_line_miles(start, ten_miles_north) == pytest.approx(10, abs=1e-3)
    # 10 miles * 1.3 = 13 road miles at 30 mph = 26 minutes.
    assert maps.OFFLINE.travel_minutes(start, ten_miles_north) == 26
    # 3 * 1.3 = 3.9 road miles = 7.8 minutes, rounded up.
    assert maps.OFFLINE.travel_minutes(start, three_miles_north) == 8
    # Next door still takes the minimum.
    assert maps.OFFLINE.travel_minutes(start, start) == maps.MINIMUM_MINUTES


def test_eta_minutes_takes_stored_coordinates_and_says_none_without_them(
    database: TestDatabase,
):
    settings = make_settings(database)  # no Google key: offline
    lat = Decimal("42.000000")

    assert maps.eta_minutes(settings, lat, Decimal("-71.0"), 42.0 + 10 * MILE, -71.0) == 26
    assert maps.eta_minutes(settings, None, None, 42.0, -71.0) is None
    assert maps.eta_minutes(settings, 42.0, -71.0, 42.0, None) is None
