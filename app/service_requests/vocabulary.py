"""The words for a service request's statuses and the queue's tabs."""

from __future__ import annotations

STATUSES = {
    "open": "Open",
    "waiting_on_customer": "Waiting on customer",
    "closed": "Closed",
}
# The queue's tabs, in order: those nobody has yet, then each status.
TABS = {"unassigned": "Unassigned", **STATUSES}
