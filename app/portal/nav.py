"""The portal's pages, in the order its menu shows them: (label, endpoint). Each page's module
appends its own entry."""

from __future__ import annotations

NAV: list[tuple[str, str]] = [("Home", "portal.home")]
