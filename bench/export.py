"""The company export (P-09): exporting the large company of the scale data (100,000 customers
and 500,000 visits at full size) against a typical one (20 customers) in the same run. Each
export runs in a process of its own (the worker's job, `jobs.company_export.sweep`, on the
worker's login role), which reports the time and its peak memory (ru_maxrss). Target: the
large company's peak memory within 1.2x of the typical one's: the export streams (a server-side
cursor per table, the zip written to disk), so memory does not grow with the company's size.
Time grows with the rows, as it should: the note gives rows per second.

Sizes: those of the scale data (BENCH_COMPANIES, BENCH_LARGE_CUSTOMERS, BENCH_LARGE_VISITS;
bench/scale.py). Run: `python -m bench.export` (or `BENCH_ONLY=export python -m bench`).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any
from uuid import UUID

from app import crypto
from app.db import admin_connection, create_pool
from app.integrations.files import LocalFolderFiles
from bench import scale
from bench.results import Row, markdown, row

CURSOR_ROWS = int(os.environ.get("BENCH_EXPORT_CURSOR_ROWS", 2000))


def companies(admin_url: str) -> tuple[UUID, UUID]:
    """The large company and a typical one (by their customers)."""
    with admin_connection(scale.url(admin_url)) as conn:
        ranked = conn.execute(
            "select tenant_id, count(*) as n from public.customers group by tenant_id"
            " order by n desc, tenant_id"
        ).fetchall()
    return ranked[0]["tenant_id"], ranked[-1]["tenant_id"]


def export_once(tenant_id: str, traced: bool = False) -> dict[str, Any]:
    """In this process: queue and run one export of the company; time, memory, size. Traced:
    the peak of Python's own allocations during the export too (tracemalloc, which slows it,
    so the time of a traced run is not reported)."""
    admin_url = scale.url(os.environ["DATABASE_ADMIN_URL"])
    worker_url = scale.url(os.environ["WORKER_DATABASE_URL"])
    from jobs import company_export  # imported before measuring: part of the floor

    with admin_connection(admin_url) as conn:
        conn.execute("delete from public.company_exports where tenant_id = %s", [tenant_id])
        conn.execute("insert into public.company_exports (tenant_id) values (%s)", [tenant_id])
    pool = create_pool(worker_url, 1, 3, prepared=False)
    pool.open(wait=True, timeout=30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        company_export.sweep(
            pool,
            store=LocalFolderFiles(folder),
            keyring=crypto.Keyring({"bench": b"\x00" * 32}, "bench"),
            cursor_rows=CURSOR_ROWS,
        )
        seconds = time.perf_counter() - started
    allocated = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    pool.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with admin_connection(admin_url) as conn:
        done = conn.execute(
            "select status, rows_done, byte_size from public.company_exports where tenant_id = %s",
            [tenant_id],
        ).fetchone()
    assert done is not None and done["status"] == "done", done
    return {
        "seconds": seconds,
        "peak_mb": peak / 1024,
        "floor_mb": before / 1024,
        "rows": done["rows_done"],
        "zip_mb": done["byte_size"] / 1024 / 1024,
        "traced_mb": allocated / 1024 / 1024,
    }


def measured(tenant_id: UUID, traced: bool = False) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.export", "--traced" if traced else "--one", str(tenant_id)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Row]:
    sizes, _day, how = scale.ensure(os.environ["DATABASE_ADMIN_URL"])
    large, typical = companies(os.environ["DATABASE_ADMIN_URL"])
    small, big = measured(typical), measured(large)
    small_traced, big_traced = measured(typical, traced=True), measured(large, traced=True)
    note = (
        f"{sizes.large_customers:,} customers, {sizes.large_visits:,} visits; "
        f"{big['rows']:,} rows vs {small['rows']:,}; data {how}"
    )
    return [
        row(
            "export",
            "large company export: seconds (vs typical company)",
            big["seconds"],
            small["seconds"],
            note=f"{big['rows'] / big['seconds']:,.0f} rows/s, zip {big['zip_mb']:.1f} MB; {note}",
        ),
        row(
            "export",
            "peak memory, MB (ru_maxrss, vs typical company)",
            big["peak_mb"],
            small["peak_mb"],
            target="≤ 1.2x",
            note=f"process before the export: {big['floor_mb']:.0f} / {small['floor_mb']:.0f} MB",
        ),
        row(
            "export",
            "peak Python allocations during the export, MB (tracemalloc, vs typical company)",
            big_traced["traced_mb"],
            small_traced["traced_mb"],
            target="≤ 1.2x",
            note="what the export itself held at most, whatever the process held before",
        ),
    ]


def main() -> None:
    if sys.argv[1:2] in (["--one"], ["--traced"]):
        print(json.dumps(export_once(sys.argv[2], traced=sys.argv[1] == "--traced")))
        return
    print(markdown(run()))


if __name__ == "__main__":
    main()
