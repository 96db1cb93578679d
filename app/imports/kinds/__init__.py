"""The kinds of import, each a module with its planner and applier (app.imports.plan.Kind)."""

from __future__ import annotations

from app.imports.plan import Kind

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


# Service history, open balances and invoice history (issue 16, beyond customers).
from app.imports.kinds import balances, history, invoices  # noqa: E402,F401
