"""Background work: `python -m jobs` runs a worker that sweeps for due work.

Each job is a module in this package that registers a `Job` with `register`. A sweep finds due
work, claims it with `for update skip locked` in short transactions, acts, records the result
and commits, so running two workers, or running one twice, is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from psycopg_pool import ConnectionPool


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    sweep: Callable[[ConnectionPool], int]  # returns how many items it handled


REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    if job.name in REGISTRY:
        raise ValueError(f"job {job.name!r} is registered twice")
    REGISTRY[job.name] = job
    return job
