"""The technician's phone pages and the calendar feed."""

from __future__ import annotations

from app.technician import bp  # noqa: F401
