"""The kinds of import, each a module with its planner and applier (app.imports.plan.Kind)."""

from __future__ import annotations

from app.imports.plan import Kind

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


# Each kind registers itself: customers, and beyond customers (issue 16) equipment, service
# history, agreements, open balances and invoice history.
from app.imports.kinds import (  # noqa: E402,F401
    agreements,
    balances,
    customers,
    equipment,
    history,
    invoices,
)
