"""The company export (P-09): exporting the large company of the scale data (100,000 customers
and 500,000 visits at full size) against the same company built 10x smaller (its own database,
`<scale database>_tenth`), in the same run. Each export runs in a process of its own (the
worker's job, `jobs.company_export.sweep`, on the worker's login role), which reports the time
and its peak memory (ru_maxrss); a second run of each traces Python's own allocations during the
export (tracemalloc, which slows it: its time is not reported). Target: both memory figures of
the large company within 1.2x of the 10x smaller one's: the export streams (a server-side cursor
per table, the zip written to disk), so memory does not grow with the company's size; the time
does, with its rows (about 10x).

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

from app import crypto
from app.db import admin_connection, create_pool
from app.integrations.files import LocalFolderFiles
from bench import scale
from bench.results import Row, markdown, row

CURSOR_ROWS = int(os.environ.get("BENCH_EXPORT_CURSOR_ROWS", 2000))


def large_company(conn: Any) -> Any:
    """The company with the most customers."""
    ranked = conn.execute(
        "select tenant_id, count(*) as n from public.customers group by tenant_id"
        " order by n desc, tenant_id limit 1"
    ).fetchone()
    return ranked["tenant_id"]


def export_once(traced: bool = False) -> dict[str, Any]:
    """In this process: queue and run one export of the scale data's large company (of the
    database BENCH_SCALE_DATABASE names); time, memory, size."""
    admin_url = scale.url(os.environ["DATABASE_ADMIN_URL"])
    worker_url = scale.url(os.environ["WORKER_DATABASE_URL"])
    from jobs import company_export  # imported before measuring: part of the floor

    with admin_connection(admin_url) as conn:
        tenant_id = large_company(conn)
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


def tenth(sizes: scale.Sizes) -> dict[str, str]:
    """The environment of the 10x smaller scale data."""
    return os.environ | {
        "BENCH_SCALE_DATABASE": f"{scale.NAME}_tenth",
        "BENCH_COMPANIES": str(max(2, sizes.companies // 10)),
        "BENCH_LARGE_CUSTOMERS": str(max(1, sizes.large_customers // 10)),
        "BENCH_LARGE_VISITS": str(max(2, sizes.large_visits // 10)),
    }


def measured(env: dict[str, str], traced: bool = False) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.export", "--traced" if traced else "--one"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Row]:
    sizes, _day, how = scale.ensure(os.environ["DATABASE_ADMIN_URL"])
    smaller = tenth(sizes)
    subprocess.run([sys.executable, "-m", "bench.scale"], check=True, env=smaller)
    full = dict(os.environ)
    big, small = measured(full), measured(smaller)
    big_traced, small_traced = measured(full, traced=True), measured(smaller, traced=True)
    note = (
        f"{sizes.large_customers:,} customers, {sizes.large_visits:,} visits: {big['rows']:,}"
        f" rows vs {small['rows']:,}; data {how}"
    )
    return [
        row(
            "export",
            "large company export: seconds (vs the company 10x smaller)",
            big["seconds"],
            small["seconds"],
            note=f"{big['rows'] / big['seconds']:,.0f} rows/s, zip {big['zip_mb']:.1f} MB; {note}",
        ),
        row(
            "export",
            "peak memory of the process, MB (ru_maxrss, vs 10x smaller)",
            big["peak_mb"],
            small["peak_mb"],
            target="≤ 1.2x",
            note=f"before the export: {big['floor_mb']:.0f} / {small['floor_mb']:.0f} MB",
        ),
        row(
            "export",
            "peak Python allocations during the export, MB (tracemalloc, vs 10x smaller)",
            big_traced["traced_mb"],
            small_traced["traced_mb"],
            target="≤ 1.2x",
            note="what the export itself held at most",
        ),
    ]


def main() -> None:
    if sys.argv[1:2] in (["--one"], ["--traced"]):
        print(json.dumps(export_once(traced=sys.argv[1] == "--traced")))
        return
    print(markdown(run()))


if __name__ == "__main__":
    main()
