"""`python -m jobs [--once]`: the background worker."""

from __future__ import annotations

import argparse
from datetime import timedelta

from app import logs, sentry
from app.config import Settings
from app.db import create_pool
from jobs import (  # noqa: F401  (importing a job registers it)
    audit_checkpoints,
    campaigns,
    company_export,
    crypto_rotation,
    customer_import,
    discarded_files,
    document_messages,
    geocoding,
    maintenance_jobs,
    messages,
    notices,
    privacy_reminders,
    purge,
    retention,
    worker,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jobs", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run every job once, then exit")
    args = parser.parse_args(argv)
    logs.configure()
    settings = Settings.from_env()
    sentry.init(settings, "worker")  # a failed job is logged, and so reported
    if settings.worker_database_url is None:
        parser.error("WORKER_DATABASE_URL is not set (the worker's own login role)")
    pool = create_pool(
        settings.worker_database_url, 1, messages.THREADS + 2, settings.prepared_statements
    )
    # Not waited for: a database that is not up yet (maintenance during a deploy) is waited
    # for by the loop, which logs it and carries on once it answers.
    pool.open(wait=False)
    try:
        lease = timedelta(seconds=settings.job_lease_seconds)
        failed = worker.run(pool, once=args.once, lease=lease)
    finally:
        pool.close()
    if args.once and failed:
        raise SystemExit(f"{failed} job(s) failed; see the log above")


if __name__ == "__main__":
    main()
