"""The words for a privacy request's kinds, sources and statuses."""

from __future__ import annotations

KINDS = {
    "access": "See my data",
    "correction": "Correct my data",
    "deletion": "Delete my data",
    "restriction": "Restrict how my data is used",
}
SOURCES = {"portal": "Portal", "phone": "Phone call", "email": "Email"}
STATUSES = {"open": "Open", "done": "Done", "refused": "Refused"}
# How long the company has to answer (the database sets due_on from it: P-10).
DAYS_TO_ANSWER = 30
