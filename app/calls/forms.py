"""The New call page's forms: the call itself (where the job goes), and the customer, property,
equipment and job forms of their own features, each under a prefix, in one HTML form."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app import customers, phones, properties, scheduling
from app.forms import strip_text

NEW_PROPERTY = "new:"  # `choice` for a new property of a found customer: new:<customer id>
NO_CSRF = {"csrf": False}  # the call form carries the page's one CSRF token


class SearchForm(FlaskForm):
    """The search box: a GET, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Find the caller",
        filters=[strip_text],
        validators=[Optional(), Length(max=200, message="At most 200 characters.")],
        render_kw={
            "type": "search",
            "autocomplete": "off",
            "autofocus": True,
            "placeholder": "Phone (any way), name, email or address",
        },
    )


class CallForm(FlaskForm):
    """Where the job goes: `choice` is '' for a new customer, a property's id, or
    new:<customer id> for a new property of a customer found."""

    q = HiddenField(filters=[strip_text])
    choice = HiddenField(filters=[strip_text])
    # "Create anyway" after a possible duplicate was shown, or "Use this customer" (its id).
    confirm_new = HiddenField()
    use_customer = HiddenField()

    def validate_choice(self, field: HiddenField) -> None:
        value = (field.data or "").removeprefix(NEW_PROPERTY)
        if value:
            try:
                UUID(value)
            except ValueError:
                raise ValidationError("Choose where the job is, or take a new caller.") from None

    def property_id(self) -> UUID | None:
        data = self.choice.data or ""
        return UUID(data) if data and not data.startswith(NEW_PROPERTY) else None

    def customer_id(self) -> UUID | None:
        """The customer found for whom a new property is added (None otherwise)."""
        data = self.choice.data or ""
        return UUID(data.removeprefix(NEW_PROPERTY)) if data.startswith(NEW_PROPERTY) else None

    def used_customer(self) -> UUID | None:
        try:
            return UUID(self.use_customer.data or "")
        except ValueError:
            return None


class Parts:
    """The call form with the features' own forms for its parts, prefilled from a search."""

    def __init__(self, start: dict[str, dict[str, str]] | None = None) -> None:
        start = start or {}
        self.call = CallForm()
        self.customer = customers.CustomerForm(
            prefix="customer", meta=NO_CSRF, data=start.get("customer")
        )
        self.place = properties.PropertyForm(
            prefix="property", meta=NO_CSRF, data=start.get("property")
        )
        self.equipment = properties.EquipmentForm(prefix="equipment", meta=NO_CSRF)
        self.job = scheduling.JobForm(prefix="job", meta=NO_CSRF, data={"job_kind": "repair"})

    def forms(self) -> dict[str, FlaskForm]:
        return {
            "customer": self.customer,
            "property": self.place,
            "equipment": self.equipment,
            "job": self.job,
        }

    def with_equipment(self) -> bool:
        """Equipment is added only when its type is chosen."""
        return bool(self.equipment.equipment_kind.data)

    def valid(self, *names: str) -> bool:
        """Validate these parts (all of them, so that every message shows at once)."""
        results = [self.forms()[name].validate() for name in names]
        return all(results)

    def errors(self) -> bool:
        return any(form.errors for form in (self.call, *self.forms().values()))

    def values(self, needed: list[str]) -> dict[str, Any]:
        """The parts as the database stores them. A new caller's details that this call does
        not need (a customer found) were not checked: they serve only to find the customer's
        property at the address typed, and a half-typed phone there is left out."""
        return {
            "customer": self.customer.values() if "customer" in needed else self._matching(),
            "place": self.place.values(),
            "equipment": self.equipment.values() if self.with_equipment() else None,
            "job": self.job.values(),
        }

    def _matching(self) -> dict[str, Any]:
        typed = self.customer.phone.data
        try:
            phones.normalize(typed or "")
        except phones.InvalidPhone:
            self.customer.phone.data = ""
        try:
            return self.customer.values()
        finally:
            self.customer.phone.data = typed
