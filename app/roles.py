"""Role sets, named once. The policies use the same sets through SQL helpers
(`app.is_office_staff()`, `app.is_planner()`, `app.is_manager()`, `app.is_owner()`, in
supabase/migrations/20261205100000_role_sets.sql); routes use them in
`identity.company_required(*roles.OFFICE_STAFF)` and templates as `current_user.is_office_staff`."""

from __future__ import annotations

OWNER, ADMIN, DISPATCHER, OFFICE, TECHNICIAN = (
    "owner",
    "admin",
    "dispatcher",
    "office",
    "technician",
)

# Every role a member can have, with the word shown for it, most powerful first.
LABELS: dict[str, str] = {
    OWNER: "Owner",
    ADMIN: "Admin",
    DISPATCHER: "Dispatcher",
    OFFICE: "Office",
    TECHNICIAN: "Technician",
}
ALL: tuple[str, ...] = tuple(LABELS)

# Who keeps customers, properties, jobs and the schedule (app.is_office_staff()).
OFFICE_STAFF: tuple[str, ...] = (OWNER, ADMIN, DISPATCHER, OFFICE)
# Who plans the technicians' time: working hours and time off (app.is_planner()).
PLANNERS: tuple[str, ...] = (OWNER, ADMIN, DISPATCHER)
# Who manages the company: team, audit log, deleting customers (app.is_manager()).
MANAGERS: tuple[str, ...] = (OWNER, ADMIN)
# What only an owner does (app.is_owner()).
OWNERS: tuple[str, ...] = (OWNER,)
# Who works the visits on a phone.
TECHNICIANS: tuple[str, ...] = (TECHNICIAN,)

# The sets by the name templates use: current_user.is_office_staff, …
SETS: dict[str, tuple[str, ...]] = {
    "office_staff": OFFICE_STAFF,
    "planner": PLANNERS,
    "manager": MANAGERS,
    "owner": OWNERS,
    "technician": TECHNICIANS,
}
