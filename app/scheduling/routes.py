"""Office pages for jobs, visits and the dispatch board."""

from __future__ import annotations

from app.scheduling import bp  # noqa: F401
