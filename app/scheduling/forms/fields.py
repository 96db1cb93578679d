"""What the scheduling forms share: the calendar's bounds, checkbox lists, long text."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, Field, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import EARLIEST_DAY, LATEST_DAY, choices, strip_text
from app.scheduling.service import REDISPATCH


def _in_range(_form: Any, field: DateField) -> None:
    """A date the calendar pages can work with; a mistyped year is refused, not a crash."""
    if field.data is not None and not EARLIEST_DAY <= field.data <= LATEST_DAY:
        raise ValidationError("Enter a date between 2000 and 2100.")


def _long_text(label: str, limit: int = 5000) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_text],
        validators=[Optional(), Length(max=limit, message=f"At most {limit:,} characters.")],
        render_kw={"rows": 3},
    )


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes; a value that is not offered is refused with
    `refusal` (another property's equipment, a technician of another company)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, refusal: str = "Choose from the list.", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    def pre_validate(self, form: Any) -> None:
        offered = {str(choice.value) for choice in self.iter_choices()}
        if any(str(value) not in offered for value in self.data or ()):
            raise ValidationError(self.refusal)


class RedispatchChoice:
    """Moving a dispatched visit: whether it stays dispatched (asked, never assumed)."""

    redispatch = RadioField(
        "This visit has been dispatched. After the move:",
        choices=choices(REDISPATCH.items()),
        validate_choice=False,
        validators=[Optional()],
    )

    def validate_redispatch(self, field: Field) -> None:
        if field.data not in REDISPATCH:
            raise ValidationError("Choose whether the visit stays dispatched.")

    def redispatch_choice(self) -> bool | None:
        """True: keep it dispatched; False: back to scheduled; None: not said."""
        return {"keep": True, "reset": False}.get(self.redispatch.data or "")
