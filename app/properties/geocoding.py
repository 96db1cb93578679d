"""Placing properties on the map: the batch the geocoding job (and the demo seed) runs on a
connection it holds, and the pin an office member places by hand."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app import company, db, sql
from app.db import Connection
from app.integrations import maps

log = logging.getLogger(__name__)
queries = sql.load(__file__, "geocoding.sql")
PLACES = Decimal("0.000001")  # the columns' six decimals: ~10 cm


@dataclass(frozen=True)
class Batch:
    """What one batch did: how many properties it claimed, placed, failed and held back."""

    claimed: int
    placed: int
    failed: int
    postponed: int
    trouble: str | None  # why the provider stopped answering, when it did

    @property
    def handled(self) -> int:
        return self.placed + self.failed


def _address(row: dict[str, Any]) -> maps.Address:
    return maps.Address(
        row["street"], row["unit"], row["city"], row["region"], row["postal_code"], row["country"]
    )


def _coordinate(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(PLACES)


def _results(rows: list[dict[str, Any]], found: list[maps.Place | maps.Failure]) -> dict[str, list]:
    """The batch's outcomes as the arrays `record_geocodes` unnests."""
    arrays: dict[str, list[Any]] = {
        name: []
        for name in (
            "tenant_ids",
            "ids",
            "statuses",
            "latitudes",
            "longitudes",
            "zones",
            "failures",
        )
    }
    for row, outcome in zip(rows, found, strict=False):
        placed = isinstance(outcome, maps.Place)
        arrays["tenant_ids"].append(row["tenant_id"])
        arrays["ids"].append(row["id"])
        arrays["statuses"].append("done" if placed else "failed")
        point = outcome.point if isinstance(outcome, maps.Place) else None
        arrays["latitudes"].append(_coordinate(point.latitude) if point else None)
        arrays["longitudes"].append(_coordinate(point.longitude) if point else None)
        arrays["zones"].append(outcome.time_zone if isinstance(outcome, maps.Place) else None)
        arrays["failures"].append(outcome.reason if isinstance(outcome, maps.Failure) else None)
    return arrays


def geocode_pending(conn: Connection, port: maps.Maps, batch: int | None = None) -> Batch:
    """Claim up to `batch` waiting properties of any company (`for update skip locked`, so two
    workers never take the same), geocode them and record every outcome in one statement, in
    the caller's transaction. When the provider stops answering, the property it was asked
    about waits for its retry time and the rest of the batch for the next pass."""
    rows = conn.execute(
        queries.claim_pending_geocodes, {"batch": batch or port.batch_size}
    ).fetchall()
    found: list[maps.Place | maps.Failure] = []
    trouble = None
    for row in rows:
        try:
            found.append(port.geocode(_address(row)))
        except maps.Unavailable as error:
            trouble = str(error)
            conn.execute(
                queries.postpone_geocode,
                {"tenant_id": row["tenant_id"], "id": row["id"], "reason": trouble},
            )
            break
    if found:
        conn.execute(queries.record_geocodes, _results(rows, found))
    placed = sum(isinstance(outcome, maps.Place) for outcome in found)
    return Batch(len(rows), placed, len(found) - placed, 1 if trouble else 0, trouble)


def pin_time_zone(prop: dict[str, Any]) -> str:
    """The zone of a pin placed by hand: the ZIP's when it is known, else the company's."""
    zone = maps.zip_time_zone(prop["postal_code"], prop["country"])
    if zone:
        return zone
    found = company.get(prop["tenant_id"])
    return found.time_zone if found else company.FALLBACK_ZONE


def place_pin(prop: dict[str, Any], latitude: Decimal, longitude: Decimal) -> bool:
    """Put the property on the map where the office says (it is then 'done')."""
    return bool(
        db.write(
            queries.place_pin,
            {
                "tenant_id": prop["tenant_id"],
                "id": prop["id"],
                "latitude": latitude.quantize(PLACES),
                "longitude": longitude.quantize(PLACES),
                "time_zone": pin_time_zone(prop),
            },
        )
    )
