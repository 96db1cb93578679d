"""The estimates' words."""

from __future__ import annotations

STATUSES: dict[str, str] = {
    "draft": "Draft",
    "sent": "Sent",
    "viewed": "Viewed",
    "approved": "Approved",
    "declined": "Declined",
    "expired": "Expired",
    "revised": "Revised",
}
LINE_KINDS: dict[str, str] = {
    "service": "Service",
    "material": "Material",
    "labour": "Labour",
    "package": "Package",
    "other": "Other",
}
