"""Every benchmark in one run (`make bench`, or `python -m bench`): each scenario's figures
next to their baselines from the same run, printed as one table and written to
bench/results/latest.md and latest.json.

BENCH_ONLY=rls_scale,pages runs a subset (names below); the sizes of the scale data come from
BENCH_COMPANIES, BENCH_LARGE_CUSTOMERS and BENCH_LARGE_VISITS (see bench/scale.py).
"""

from __future__ import annotations

import os
import platform
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench import (
    audit,
    booking,
    customers,
    documents,
    export,
    geocoding,
    growth,
    imports,
    messages,
    money,
    pages,
    portal,
    portal_policies,
    portal_sign_in,
    purge,
    rls_scale,
    rls_team,
    scale,
    scheduling,
    webhooks,
    writes,
)
from bench.results import Row, markdown, row, write

SCENARIOS: dict[str, Callable[[], list[Row]]] = {
    "rls_scale": rls_scale.run,
    "pages": pages.run,
    "writes": writes.run,
    "rls_team": rls_team.run,
    "customers": customers.run,
    "imports": imports.run,
    "audit": audit.run,
    "audit_writes": audit.run_writes,
    "scheduling": scheduling.run,
    "growth": growth.run,
    "documents": documents.run,
    "money": money.run,
    "webhooks": webhooks.run,
    "messages": messages.run,
    "geocoding": geocoding.run,
    "portal": portal.run,
    "portal_policies": portal_policies.run,
    "portal_sign_in": portal_sign_in.run,
    "booking": booking.run,
    "export": export.run,
    "purge": purge.run,
}
NO_SCALE_DATA = {
    "documents",
    "money",
    "webhooks",
    "geocoding",
    "messages",
    "portal_sign_in",
    "booking",
    "purge",
}  # scenarios that build what they measure in memory
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    cores = os.cpu_count()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB"
    with psycopg.connect(os.environ["DATABASE_ADMIN_URL"]) as conn:
        found = conn.execute("show server_version").fetchone()
    server = found[0].split()[0] if found else "?"
    python = f"Python {platform.python_version()}"
    return f"{cores} cores{memory}, {python}, PostgreSQL {server}"


def main() -> None:
    chosen = [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n] or list(SCENARIOS)
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: no scenario {', '.join(sorted(unknown))}; {list(SCENARIOS)}")
    began = time.perf_counter()
    rows = []
    if set(chosen) - NO_SCALE_DATA:
        sizes, day, how = scale.ensure(os.environ["DATABASE_ADMIN_URL"])
        rows.append(row("scale data", "companies", sizes.companies, note=f"{scale.NAME}, {how}"))
        rows.append(row("scale data", "large company: customers", sizes.large_customers))
        rows.append(
            row("scale data", "large company: visits", sizes.large_visits, note=f"day {day}")
        )
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            rows += SCENARIOS[name]()
        except Exception as error:  # a broken scenario must not hide the others' figures
            traceback.print_exc()
            rows.append(row(name, "failed", None, note=f"{type(error).__name__}: {error}"[:200]))
        print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "scenarios": ", ".join(chosen),
        "seconds": round(time.perf_counter() - began),
    }
    write(rows, RESULTS, meta)
    print("\n" + markdown(rows, "\n".join(f"- {k}: {v}" for k, v in meta.items())))
    print(f"written to {RESULTS / 'latest.md'} and latest.json")


if __name__ == "__main__":
    main()
