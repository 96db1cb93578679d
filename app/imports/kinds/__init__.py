"""The kinds of import, each a module with its planner and applier (app.imports.plan.Kind)."""

from __future__ import annotations

from app.imports.plan import Kind

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


from app.imports.kinds import customers  # noqa: E402, F401  (registers itself)
