"""Properties waiting for the map ('pending') get their coordinates and time zone, or a
reason they could not be placed ('failed'), for every company.

One of the few cross-company jobs, hence the service role; the audit log names
`system:geocoding` as the author of each change. Each batch is one short transaction that
claims its rows with `for update skip locked` and records them in one statement, so running
twice, on two workers at once, or after a crash geocodes each property once: an interrupted
batch rolls back and its properties stay pending. The provider is app.integrations.maps:
offline ZIP centroids by default (500 a batch), Google Maps when GOOGLE_MAPS_API_KEY is set (20
a batch, rate limited by the SDK). An outage holds the property it struck back with a growing
wait and ends the pass; the others are tried on the next one."""

from __future__ import annotations

import logging

from psycopg_pool import ConnectionPool

from app.config import Settings
from app.db import service_role_transaction
from app.integrations import maps
from app.properties import geocode_pending
from jobs import Job, register

log = logging.getLogger("jobs.geocoding")
ACTOR = "system:geocoding"


def sweep(pool: ConnectionPool, port: maps.Maps | None = None) -> int:
    """Geocode every waiting property, a batch per transaction; returns how many were placed
    or failed."""
    port = port or maps.for_settings(Settings.from_env())
    handled = 0
    while True:
        with service_role_transaction(pool, actor=ACTOR) as conn:
            batch = geocode_pending(conn, port)
        handled += batch.handled
        if batch.trouble:
            log.warning("geocoding paused: %s", batch.trouble)
            return handled
        if batch.claimed < port.batch_size:
            return handled


JOB = register(Job("geocoding", every_seconds=30, sweep=sweep))
