"""The closing form: the owner confirms by typing the company's name."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import strip_text


class CloseForm(FlaskForm):
    company_name = StringField(
        "Type the company's name to confirm",
        filters=[strip_text],
        validators=[DataRequired("Type the company's name to confirm."), Length(max=200)],
    )

    def __init__(self, expected_name: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.expected_name = expected_name

    def validate_company_name(self, field: StringField) -> None:
        if field.data != self.expected_name.strip():
            raise ValidationError(
                f"Type the company's name exactly as it is shown: {self.expected_name.strip()}"
            )
