"""The maps port: where an address is (geocoding, with its time zone) and how long the drive
between two points takes (technicians' ETAs).

Two adapters. Offline, the embedded default: a US ZIP code's centroid and time zone from the
`zipcodes` package, loaded once per process, and straight-line distances. Google Maps when
`GOOGLE_MAPS_API_KEY` is set: the official `googlemaps` SDK (Geocoding, Time Zone and Distance
Matrix APIs), rate limited and retrying transient errors itself, talking to
`GOOGLE_MAPS_API_BASE` when set (tests run a loopback server that speaks those APIs).

`geocode` answers a `Place`, or a `Failure` whose reason the office reads on the property page;
it raises `Unavailable` when the provider cannot answer now (the property stays pending and is
tried again later). Only the address goes to Google, never the customer's name (P-18)."""

from __future__ import annotations

import functools
import logging
import math
import re
import time
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import googlemaps
import zipcodes

from app.config import Settings

log = logging.getLogger(__name__)

ROAD_FACTOR = 1.3  # roads are longer than the straight line between two houses
AVERAGE_MPH = 30  # town driving, stops included
MINIMUM_MINUTES = 5  # parking, walking to the door: no trip is quicker
EARTH_RADIUS_MILES = 3958.8
GOOGLE_API = "https://maps.googleapis.com"
CACHE_SIZE = 4096  # driving times kept per process
CACHE_PLACES = 3  # coordinates rounded to ~100 m before asking, so nearby trips share answers


@dataclass(frozen=True)
class Address:
    street: str
    unit: str
    city: str
    region: str
    postal_code: str
    country: str

    def one_line(self) -> str:
        street = " ".join(p for p in (self.street, self.unit) if p)
        region_code = " ".join(p for p in (self.region, self.postal_code) if p)
        return ", ".join(p for p in (street, self.city, region_code, self.country) if p)


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Place:
    point: Point
    time_zone: str | None  # an IANA name, None when not known


@dataclass(frozen=True)
class Failure:
    reason: str  # for the office: what is wrong and what to do


class Unavailable(Exception):
    """The provider cannot answer now (an outage, a rate limit, a refused key): try later."""


class Maps(Protocol):
    batch_size: int  # properties geocoded per transaction by the job

    def geocode(self, address: Address) -> Place | Failure: ...

    def travel_minutes(self, origin: Point, destination: Point) -> int: ...


# --- offline: ZIP centroids and straight lines ----------------------------------------------

ZIP_TEXT = re.compile(r"(\d{3,5})(?:[-\s]?\d{4})?")


def us_zip(text: str) -> str | None:
    """The 5-digit ZIP in what was typed: '1545' (a spreadsheet dropped the zero), '01545-1234',
    '015451234'; None when it is not one."""
    typed = text.strip()
    if re.fullmatch(r"\d{8,9}", typed):  # ZIP+4 without its dash, maybe without its zero
        return typed.zfill(9)[:5]
    match = ZIP_TEXT.fullmatch(typed)
    return match.group(1).zfill(5) if match else None


@functools.cache
def _zip_places() -> dict[str, tuple[float, float, str | None]]:
    """Every US ZIP code's centroid and time zone, read once per process (~40,000, 0.2 s)."""
    known = zoneinfo.available_timezones()
    return {
        entry["zip_code"]: (
            float(entry["lat"]),
            float(entry["long"]),
            entry["timezone"] if entry["timezone"] in known else None,
        )
        for entry in zipcodes.list_all()
    }


def zip_time_zone(postal_code: str, country: str = "US") -> str | None:
    """The time zone of a US ZIP code, None when unknown (or not in the US)."""
    code = us_zip(postal_code) if country == "US" else None
    found = _zip_places().get(code) if code else None
    return found[2] if found else None


def straight_line_miles(origin: Point, destination: Point) -> float:
    """The great-circle (haversine) distance."""
    lat1, lat2 = math.radians(origin.latitude), math.radians(destination.latitude)
    dlat = lat2 - lat1
    dlng = math.radians(destination.longitude - origin.longitude)
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def estimated_minutes(origin: Point, destination: Point) -> int:
    """Straight line times ROAD_FACTOR at AVERAGE_MPH, rounded up, at least MINIMUM_MINUTES: 10
    miles apart is 13 road miles, 26 minutes."""
    minutes = straight_line_miles(origin, destination) * ROAD_FACTOR / AVERAGE_MPH * 60
    return max(MINIMUM_MINUTES, math.ceil(round(minutes, 6)))


class Offline:
    """ZIP centroids and straight-line travel times: no account, no outside call."""

    batch_size = 500

    def geocode(self, address: Address) -> Place | Failure:
        if address.country != "US":
            return Failure(
                f"Without Google Maps only US ZIP codes can be placed; this address is in"
                f" {address.country}. Place the pin by hand."
            )
        if not address.postal_code.strip():
            return Failure("The address has no ZIP code: add it, or place the pin by hand.")
        code = us_zip(address.postal_code)
        if code is None:
            return Failure(f"{address.postal_code.strip()[:20]!r} is not a US ZIP code.")
        found = _zip_places().get(code)
        if found is None:
            return Failure(f"No place is known for ZIP {code}: check it, or place the pin by hand.")
        latitude, longitude, zone = found
        if latitude == 0 and longitude == 0:
            return Failure(f"ZIP {code} is a military post office, with no place on the map.")
        return Place(Point(latitude, longitude), zone)

    def travel_minutes(self, origin: Point, destination: Point) -> int:
        return estimated_minutes(origin, destination)


OFFLINE = Offline()


# --- Google Maps through its SDK -------------------------------------------------------------

RETRY_TIMEOUT = 10  # seconds the SDK keeps retrying 5xx and rate limits, with its own backoff
HTTP_TIMEOUT = 5
QUERIES_PER_SECOND = 10


def _rounded(point: Point) -> tuple[float, float]:
    return round(point.latitude, CACHE_PLACES), round(point.longitude, CACHE_PLACES)


class GoogleMaps:
    """Geocoding, time zones and driving times from Google Maps."""

    batch_size = 20  # each property is an outside call: short transactions

    def __init__(
        self,
        key: str,
        base_url: str | None = None,
        *,
        retry_timeout: float = RETRY_TIMEOUT,
        queries_per_second: int = QUERIES_PER_SECOND,
    ) -> None:
        try:
            self.client = googlemaps.Client(
                key=key,
                base_url=base_url or GOOGLE_API,
                timeout=HTTP_TIMEOUT,
                retry_timeout=retry_timeout,
                queries_per_second=queries_per_second,
                queries_per_minute=queries_per_second * 60,
            )
        except ValueError as error:  # the SDK checks the key's shape
            raise Unavailable(f"GOOGLE_MAPS_API_KEY is refused: {error}") from error
        self._driving = functools.lru_cache(maxsize=CACHE_SIZE)(self._driving_minutes)

    def _call(self, api: str, call: Any) -> Any:
        """One SDK call; what is not the address's fault becomes Unavailable."""
        try:
            return call()
        except googlemaps.exceptions.ApiError as error:
            if error.status == "INVALID_REQUEST":
                return None
            log.warning("maps: Google %s answered %s", api, error.status)
            raise Unavailable(
                f"Google Maps answered {error.status}; it is tried again later."
            ) from error
        except (googlemaps.exceptions.TransportError, googlemaps.exceptions.Timeout) as error:
            log.warning("maps: Google %s could not be reached: %s", api, type(error).__name__)
            raise Unavailable(
                "Google Maps could not be reached; it is tried again later."
            ) from error

    def geocode(self, address: Address) -> Place | Failure:
        results = self._call(
            "geocode",
            lambda: self.client.geocode(
                address.one_line(), components={"country": address.country}
            ),
        )
        if not results:
            return Failure(
                "Google Maps found no place for this address: check it, or place the pin by hand."
            )
        location = results[0]["geometry"]["location"]
        point = Point(float(location["lat"]), float(location["lng"]))
        return Place(point, self._time_zone(point) or zip_time_zone(*_zip_of(address)))

    def _time_zone(self, point: Point) -> str | None:
        """The zone Google's Time Zone API names; None when it cannot say (the ZIP's is used)."""
        try:
            answer = self._call(
                "timezone",
                lambda: self.client.timezone(
                    (point.latitude, point.longitude), timestamp=int(time.time())
                ),
            )
        except Unavailable:
            return None
        zone = (answer or {}).get("timeZoneId")
        return zone if zone in zoneinfo.available_timezones() else None

    def _driving_minutes(self, origin: tuple[float, float], to: tuple[float, float]) -> int | None:
        answer = self._call(
            "distancematrix",
            lambda: self.client.distance_matrix([origin], [to], mode="driving"),
        )
        element = ((answer or {}).get("rows") or [{}])[0].get("elements", [{}])[0]
        if element.get("status") != "OK":
            return None
        return max(MINIMUM_MINUTES, math.ceil(int(element["duration"]["value"]) / 60))

    def travel_minutes(self, origin: Point, destination: Point) -> int:
        """Google's driving time (kept per process); the straight-line estimate when Google
        knows no route or cannot be reached."""
        try:
            minutes = self._driving(_rounded(origin), _rounded(destination))
        except Unavailable:
            minutes = None
        return minutes if minutes is not None else estimated_minutes(origin, destination)


def _zip_of(address: Address) -> tuple[str, str]:
    return address.postal_code, address.country


@functools.lru_cache(maxsize=8)
def _google(key: str, base_url: str | None) -> GoogleMaps:
    """One adapter per key and address: its rate limit and its driving-time cache are shared."""
    return GoogleMaps(key, base_url)


def for_settings(settings: Settings) -> Maps:
    """Google Maps when GOOGLE_MAPS_API_KEY is set, else the offline adapter."""
    if settings.google_maps_key:
        return _google(settings.google_maps_key, settings.google_maps_api_base)
    return OFFLINE


def _point(latitude: float | Decimal | None, longitude: float | Decimal | None) -> Point | None:
    if latitude is None or longitude is None:
        return None
    return Point(float(latitude), float(longitude))


def eta_minutes(
    settings: Settings,
    from_lat: float | Decimal | None,
    from_lng: float | Decimal | None,
    to_lat: float | Decimal | None,
    to_lng: float | Decimal | None,
) -> int | None:
    """Minutes to drive from one point to another, for a technician's ETA ("on my way, there in
    about 25 minutes"); None when either point is unknown (a property not geocoded yet: its
    latitude and longitude are null).

    Give it the coordinates as stored (`properties.latitude`/`longitude`, numeric, or floats):
    from the technician's previous visit's property, or the company's address, to this visit's
    property. With Google Maps configured (`settings.google_maps_key`) it is Google's driving
    time from the Distance Matrix API, kept per process for points within ~100 m of an earlier
    question, and the straight-line estimate when Google cannot answer; offline it is always
    the estimate: straight-line distance times 1.3 at 30 mph, rounded up, at least 5 minutes. It
    never raises for an outage, and it sends Google the two points only."""
    origin, destination = _point(from_lat, from_lng), _point(to_lat, to_lng)
    if origin is None or destination is None:
        return None
    try:
        port = for_settings(settings)
    except Unavailable:
        port = OFFLINE
    return port.travel_minutes(origin, destination)
